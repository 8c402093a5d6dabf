package dev.workflowkeeper.purge;

import java.time.Clock;
import java.time.Duration;

import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.StateFields;

import org.springframework.batch.infrastructure.item.ItemProcessor;

/**
 * Judges which states may go: those not updated for longer than {@code staleAfter}, and finished ones
 * (completed, failed, cancelled) not updated for longer than {@code terminalRetention}. Values that
 * are not JSON objects, states without a readable {@code updated_at}, and keys of other types are
 * counted and never judged for deletion.
 */
class PurgeJudge implements ItemProcessor<KeyInfo, KeyInfo> {

	private final Duration staleAfter;

	private final Duration terminalRetention;

	private final Clock clock;

	private final StepCounters counters;

	PurgeJudge(Duration staleAfter, Duration terminalRetention, Clock clock, StepCounters counters) {
		this.staleAfter = staleAfter;
		this.terminalRetention = terminalRetention;
		this.clock = clock;
		this.counters = counters;
	}

	@Override
	public KeyInfo process(KeyInfo key) {
		this.counters.increment("scanned");
		if (!"string".equals(key.type()) || key.value() == null) {
			this.counters.increment("otherTypes");
			return null;
		}
		StateFields fields = StateFields.read(key.value());
		if (fields == null || !fields.hasUpdatedAt()) {
			this.counters.increment("unparseable");
			return null;
		}
		long age = this.clock.millis() - fields.updatedAtMillis();
		if (age > this.staleAfter.toMillis()) {
			this.counters.increment("stale");
			return key;
		}
		if (fields.terminal() && age > this.terminalRetention.toMillis()) {
			this.counters.increment("terminal");
			return key;
		}
		return null;
	}

}
