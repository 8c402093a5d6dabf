package dev.workflowkeeper.ttl;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import dev.workflowkeeper.store.WorkflowEntry;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * Applies the TTL changes of a chunk in one batch ({@link MaintainableStore#enforceTtl}). The maximum
 * is taken at the moment of the write, relative to now, so that a state the service refreshed after
 * it was judged keeps at least the TTL the service gave it. On a dry run it only counts what it
 * would change.
 */
class TtlItemWriter implements ItemWriter<KeyInfo> {

	private final MaintainableStore store;

	private final Duration maxTtl;

	private final Duration stateTtl;

	private final boolean fromAge;

	private final boolean dryRun;

	private final Clock clock;

	private final StepCounters counters;

	TtlItemWriter(MaintainableStore store, Duration maxTtl, Duration stateTtl, boolean fromAge, boolean dryRun, Clock clock,
			StepCounters counters) {
		this.store = store;
		this.maxTtl = maxTtl;
		this.stateTtl = stateTtl;
		this.fromAge = fromAge;
		this.dryRun = dryRun;
		this.clock = clock;
		this.counters = counters;
	}

	@Override
	public void write(Chunk<? extends KeyInfo> chunk) {
		long now = this.clock.millis();
		if (this.dryRun) {
			for (KeyInfo key : chunk) {
				this.counters.increment((key.expireAtMillis() == WorkflowEntry.NO_EXPIRY) ? "fixedMissing" : "capped");
			}
			return;
		}
		List<TtlChange> changes = new ArrayList<>(chunk.size());
		for (KeyInfo key : chunk) {
			long max = now + this.maxTtl.toMillis() + TtlJudge.SLACK_MILLIS;
			long fill = Math.min(TtlJudge.fillExpiry(key, this.fromAge, this.stateTtl, now), max);
			changes.add(new TtlChange(key.key(), fill, max, this.fromAge ? key.value() : null));
		}
		List<TtlOutcome> outcomes = this.store.enforceTtl(changes);
		for (TtlOutcome outcome : outcomes) {
			this.counters.increment(switch (outcome) {
				case FIXED_MISSING -> "fixedMissing";
				case CAPPED -> "capped";
				case UNTOUCHED -> "untouched";
				case CHANGED_OR_GONE -> "changedOrGone";
			});
		}
	}

}
