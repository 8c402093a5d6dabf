package dev.workflowkeeper.purge;

import java.time.Clock;
import java.time.Duration;

import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.StateFields;

import org.springframework.batch.infrastructure.item.ItemProcessor;

/**
 * Judges which states may go: those not updated for longer than {@code staleAfter}, and
 * finished ones (completed, failed, cancelled) not updated for longer than
 * {@code terminalRetention}; and, only when asked ({@code includeUnparseable}), string
 * values that are not JSON objects. States without a readable {@code updated_at} and keys
 * of other types are counted and never judged for deletion.
 */
class PurgeJudge implements ItemProcessor<KeyInfo, KeyInfo> {

	private final Duration staleAfter;

	private final Duration terminalRetention;

	private final Clock clock;

	private final boolean includeUnparseable;

	private final StepCounters counters;

	PurgeJudge(Duration staleAfter, Duration terminalRetention, boolean includeUnparseable, Clock clock,
			StepCounters counters) {
		this.staleAfter = staleAfter;
		this.terminalRetention = terminalRetention;
		this.includeUnparseable = includeUnparseable;
		this.clock = clock;
		this.counters = counters;
	}

	@Override
	public KeyInfo process(KeyInfo key) {
		this.counters.increment(PurgeFigures.SCANNED);
		if (!"string".equals(key.type()) || key.value() == null) {
			this.counters.increment(PurgeFigures.OTHER_TYPES);
			return null;
		}
		StateFields fields = key.fields();
		if (fields == null) {
			this.counters.increment(PurgeFigures.UNPARSEABLE);
			return this.includeUnparseable ? key : null;
		}
		if (!fields.hasUpdatedAt()) {
			this.counters.increment(PurgeFigures.NO_UPDATED_AT);
			return null;
		}
		long age = this.clock.millis() - fields.updatedAtMillis();
		if (age > this.staleAfter.toMillis()) {
			this.counters.increment(PurgeFigures.STALE);
			return key;
		}
		if (fields.terminal() && age > this.terminalRetention.toMillis()) {
			this.counters.increment(PurgeFigures.TERMINAL);
			return key;
		}
		return null;
	}

}
