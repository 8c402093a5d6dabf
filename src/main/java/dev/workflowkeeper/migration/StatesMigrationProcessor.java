package dev.workflowkeeper.migration;

import java.time.Clock;
import java.time.Duration;

import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.WorkflowEntry;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemProcessor;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;

/**
 * The migration's rules for one state: the filters ({@code --exclude-terminal},
 * {@code --status}), then the target expiry by the {@link TtlPolicy}, never later than
 * now plus the policy's {@linkplain TtlPolicy#maxTtl longest TTL} (a source expiry
 * further away is capped, not carried). A state already past its expiry is counted as
 * expired and not written; a filtered one is counted by Spring Batch as filtered. A state
 * the target cannot hold (not JSON, for a snapshot target) is rejected into the report.
 * <p>
 * To add a rule of your own, wrap or chain this processor in
 * {@link MigrateStatesJobConfiguration#migrationProcessor} (a
 * {@code CompositeItemProcessor} keeps each rule small). Not thread-safe; restartable
 * (the expired count lives in the ExecutionContext).
 */
public class StatesMigrationProcessor extends ItemStreamSupport implements ItemProcessor<WorkflowEntry, WorkflowEntry> {

	private final MigrationParameters parameters;

	private final Duration stateTtl;

	private final boolean targetNeedsJson;

	private final Clock clock;

	private long expired;

	public StatesMigrationProcessor(MigrationParameters parameters, Duration stateTtl, boolean targetNeedsJson,
			Clock clock) {
		this.parameters = parameters;
		this.stateTtl = stateTtl;
		this.targetNeedsJson = targetNeedsJson;
		this.clock = clock;
		setName("migrationProcessor");
	}

	@Override
	public WorkflowEntry process(WorkflowEntry entry) {
		// only a snapshot target needs the whole value to be JSON; other targets take it
		// as it is
		StateFields fields = this.targetNeedsJson ? StateFields.read(entry.value())
				: StateFields.readLeading(entry.value());
		if (fields == null && this.targetNeedsJson) {
			throw new RejectedRecordException("key " + entry.threadId(), entry.threadId(),
					"the value is not a JSON object, and the target (a snapshot or memory:) holds JSON states only");
		}
		if (needsFields() && fields == null) {
			throw new RejectedRecordException("key " + entry.threadId(), entry.threadId(),
					"the value is not a JSON object, so its status cannot be filtered");
		}
		if (fields != null && this.parameters.filtersOut(fields.status(), fields.terminal())) {
			return null;
		}
		long now = this.clock.millis();
		long[] range = this.parameters.ttl().expiryRange(entry, fields, this.stateTtl, now, now);
		if (range == null) {
			throw new RejectedRecordException("key " + entry.threadId(), entry.threadId(),
					"no expiry in the source and no readable updated_at to compute one from (use --ttl reset or --ttl SECONDS)");
		}
		if (range[0] <= now) {
			this.expired++;
			return null;
		}
		return entry.withExpireAt(range[0]);
	}

	private boolean needsFields() {
		return this.parameters.excludeTerminal() || !this.parameters.statuses().isEmpty();
	}

	public long expired() {
		return this.expired;
	}

	@Override
	public void open(ExecutionContext executionContext) {
		this.expired = executionContext.getLong(getExecutionContextKey("expired"), 0);
	}

	@Override
	public void update(ExecutionContext executionContext) {
		executionContext.putLong(getExecutionContextKey("expired"), this.expired);
	}

}
