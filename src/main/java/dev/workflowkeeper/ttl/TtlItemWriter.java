package dev.workflowkeeper.ttl;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.WorkflowEntry;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * Applies the TTL changes of a chunk in one batch ({@link MaintainableStore#enforceTtl}).
 * The maximum is a TTL that the store counts on its own clock at the moment of the change
 * ({@link TtlChange#withinTtl}): no key is left with a TTL above it, however far the
 * worker's clock is off the server's, and a state the service refreshed after it was
 * judged keeps the TTL the service gave it (an expiry is never lengthened). A missing TTL
 * is filled with the service's TTL, or with {@code fromAge} what the state's
 * {@code updated_at} leaves of it, and never more than the maximum. On a dry run it only
 * counts what it would change.
 * <p>
 * So that the expiries it sets do not all fall in the same second a TTL later, each key
 * gets its own place in the {@code spread} window ({@link ExpirySpread}): a filled or
 * capped expiry lands that far below the TTL it is given, and so within
 * {@code [maximum - spread, maximum]} when that is the maximum. An age-derived fill keeps
 * its age, only never later than the key's place below the maximum.
 */
class TtlItemWriter implements ItemWriter<KeyInfo> {

	private final MaintainableStore store;

	private final Duration maxTtl;

	private final ExpirySpread spread;

	private final Duration stateTtl;

	private final boolean fromAge;

	private final boolean dryRun;

	private final Clock clock;

	private final StepCounters counters;

	TtlItemWriter(MaintainableStore store, Duration maxTtl, Duration spread, Duration stateTtl, boolean fromAge,
			boolean dryRun, Clock clock, StepCounters counters) {
		this.store = store;
		this.maxTtl = maxTtl;
		this.spread = new ExpirySpread(spread);
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
				this.counters.increment((key.expireAtMillis() == WorkflowEntry.NO_EXPIRY) ? TtlFigures.FIXED_MISSING
						: TtlFigures.CAPPED);
			}
			return;
		}
		List<TtlChange> changes = new ArrayList<>(chunk.size());
		for (KeyInfo key : chunk) {
			long below = this.spread.offsetMillis(key.key());
			long fill = TtlJudge.fillExpiry(key, this.fromAge, this.stateTtl, now, below);
			// a fill at or past the key's place below the maximum is that place, which
			// the
			// store counts on its own clock (and Redis 7, without a spread, fills and
			// caps
			// in one command)
			if (fill >= now + this.maxTtl.toMillis() - below) {
				fill = TtlChange.UNBOUNDED;
			}
			changes.add(TtlChange.withinTtl(key.key(), fill, this.maxTtl, below, this.fromAge ? key.value() : null));
		}
		List<TtlOutcome> outcomes = this.store.enforceTtl(changes);
		for (TtlOutcome outcome : outcomes) {
			this.counters.increment(switch (outcome) {
				case FIXED_MISSING -> TtlFigures.FIXED_MISSING;
				case CAPPED -> TtlFigures.CAPPED;
				case UNTOUCHED -> TtlFigures.UNTOUCHED;
				case CHANGED_OR_GONE -> TtlFigures.CHANGED_OR_GONE;
			});
		}
	}

}
