package dev.workflowkeeper.ttl;

import java.time.Clock;
import java.time.Duration;

import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.WorkflowEntry;

import org.springframework.batch.infrastructure.item.ItemProcessor;

/**
 * Decides which keys need a TTL change: a state without a TTL gets one (the service's
 * TTL, or with {@code fromAge} what its {@code updated_at} leaves of it), a state whose
 * expiry is later than now plus the maximum, by as little as a millisecond, is capped.
 * Keys of other types are left alone and counted. Others pass as untouched (filtered).
 * The judge only spares round trips: the store decides again, on its own clock, when the
 * change is applied ({@link TtlItemWriter}).
 * <p>
 * Its clock must be the one the key readers report expiries on, the worker's
 * ({@link KeyInfo#expireAtMillis}): an expiry minus now is then the key's remaining TTL,
 * and a worker whose clock runs ahead of the server's passes the keys above the maximum
 * all the same (but for one within a pipeline's round trip of it: the readers err early).
 */
class TtlJudge implements ItemProcessor<KeyInfo, KeyInfo> {

	private final Duration maxTtl;

	private final Clock clock;

	private final StepCounters counters;

	TtlJudge(Duration maxTtl, Clock clock, StepCounters counters) {
		this.maxTtl = maxTtl;
		this.clock = clock;
		this.counters = counters;
	}

	@Override
	public KeyInfo process(KeyInfo key) {
		this.counters.increment(TtlFigures.CHECKED);
		if (!"string".equals(key.type())) {
			this.counters.increment(TtlFigures.OTHER_TYPES);
			return null;
		}
		if (key.expireAtMillis() == WorkflowEntry.NO_EXPIRY
				|| key.expireAtMillis() > this.clock.millis() + this.maxTtl.toMillis()) {
			return key;
		}
		this.counters.increment(TtlFigures.UNTOUCHED);
		return null;
	}

	/**
	 * The expiry a key without one gets, judged now: the service's TTL less the key's
	 * place in the spread ({@code offsetMillis}), or with {@code fromAge} what its
	 * {@code updated_at} leaves of the service's TTL, which ages spread already.
	 */
	static long fillExpiry(KeyInfo key, boolean fromAge, Duration stateTtl, long now, long offsetMillis) {
		if (fromAge && key.value() != null) {
			StateFields fields = key.fields();
			if (fields != null && fields.hasUpdatedAt()) {
				// A state already past its life still gets a minute, so that nothing
				// vanishes mid-request; and its place in the spread, so that a keyspace
				// of old states does not all go within that minute.
				return Math.max(fields.updatedAtMillis() + stateTtl.toMillis(), now + 60_000 + offsetMillis);
			}
		}
		return now + stateTtl.toMillis() - offsetMillis;
	}

}
