package dev.workflowkeeper.ttl;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import dev.workflowkeeper.store.WorkflowEntry;
import org.junit.jupiter.api.Test;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The changes the writer asks of the store, computed with a fixed clock; what Redis makes
 * of them is proven on real servers by {@code RedisTtlCapIntegrationTests}.
 */
class TtlItemWriterTests {

	private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

	private static final long NOW_MILLIS = NOW.toEpochMilli();

	private static final Duration DAY = Duration.ofDays(1);

	private final RecordingStore store = new RecordingStore();

	private final StepCounters counters = new StepCounters("ttl", "fixedMissing", "capped", "untouched",
			"changedOrGone");

	@Test
	void shouldAskForTheMaximumTtlOnTheStoresClockAndNoAbsoluteExpiry() {
		// given: the service's TTL is the maximum
		TtlItemWriter writer = writer(DAY, DAY, false, false);
		KeyInfo missing = state("missing", WorkflowEntry.NO_EXPIRY);
		KeyInfo far = state("far", NOW_MILLIS + 10 * DAY.toMillis());

		// when
		writer.write(Chunk.of(missing, far));

		// then: the fill is the maximum itself, which Redis 7 fills and caps in one
		// command
		assertThat(this.store.changes).containsExactly(
				TtlChange.withinTtl("document_workflow:missing", TtlChange.UNBOUNDED, DAY, null),
				TtlChange.withinTtl("document_workflow:far", TtlChange.UNBOUNDED, DAY, null));
		assertThat(this.store.changes).extracting(TtlChange::maxExpireAtMillis).containsOnly(TtlChange.UNBOUNDED);
	}

	@Test
	void shouldFillWithTheServiceTtlWhenShorterThanTheMaximum() {
		// given
		Duration stateTtl = Duration.ofHours(6);
		TtlItemWriter writer = writer(DAY, stateTtl, false, false);

		// when
		writer.write(Chunk.of(state("missing", WorkflowEntry.NO_EXPIRY)));

		// then
		assertThat(this.store.changes).containsExactly(
				TtlChange.withinTtl("document_workflow:missing", NOW_MILLIS + stateTtl.toMillis(), DAY, null));
	}

	@Test
	void shouldFillWithTheMaximumWhenTheServiceTtlIsLonger() {
		// given
		TtlItemWriter writer = writer(Duration.ofHours(1), DAY, false, false);

		// when
		writer.write(Chunk.of(state("missing", WorkflowEntry.NO_EXPIRY)));

		// then
		assertThat(this.store.changes).extracting(TtlChange::fillExpireAtMillis).containsExactly(TtlChange.UNBOUNDED);
		assertThat(this.store.changes).extracting(TtlChange::maxTtl).containsExactly(Duration.ofHours(1));
	}

	@Test
	void shouldFillFromTheAgeAndExpectTheJudgedValue() {
		// given: updated two hours ago, three days ago, and (a clock off) an hour from
		// now
		TtlItemWriter writer = writer(DAY, DAY, true, false);
		KeyInfo recent = state("recent", "2025-03-01T10:00:00Z");
		KeyInfo old = state("old", "2025-02-26T12:00:00Z");
		KeyInfo future = state("future", "2025-03-01T13:00:00Z");

		// when
		writer.write(Chunk.of(recent, old, future));

		// then: what updated_at leaves, a minute for a state past its life, never more
		// than the maximum
		assertThat(this.store.changes).containsExactly(
				TtlChange.withinTtl("document_workflow:recent", NOW_MILLIS + Duration.ofHours(22).toMillis(), DAY,
						recent.value()),
				TtlChange.withinTtl("document_workflow:old", NOW_MILLIS + 60_000, DAY, old.value()),
				TtlChange.withinTtl("document_workflow:future", TtlChange.UNBOUNDED, DAY, future.value()));
	}

	@Test
	void shouldCountWhatTheStoreDid() {
		// given
		TtlItemWriter writer = writer(DAY, DAY, false, false);
		this.store.outcomes.addAll(List.of(TtlOutcome.FIXED_MISSING, TtlOutcome.CAPPED, TtlOutcome.CAPPED,
				TtlOutcome.UNTOUCHED, TtlOutcome.CHANGED_OR_GONE));

		// when
		writer.write(Chunk.of(state("a", WorkflowEntry.NO_EXPIRY), state("b", NOW_MILLIS + 2 * DAY.toMillis()),
				state("c", NOW_MILLIS + 2 * DAY.toMillis()), state("d", NOW_MILLIS + 2 * DAY.toMillis()),
				state("e", WorkflowEntry.NO_EXPIRY)));

		// then: the store's word, not the judge's
		assertThat(this.counters.get("fixedMissing")).isEqualTo(1);
		assertThat(this.counters.get("capped")).isEqualTo(2);
		assertThat(this.counters.get("untouched")).isEqualTo(1);
		assertThat(this.counters.get("changedOrGone")).isEqualTo(1);
	}

	@Test
	void shouldOnlyCountOnADryRun() {
		// given
		TtlItemWriter writer = writer(DAY, DAY, false, true);

		// when
		writer.write(Chunk.of(state("a", WorkflowEntry.NO_EXPIRY), state("b", NOW_MILLIS + 2 * DAY.toMillis()),
				state("c", NOW_MILLIS + 3 * DAY.toMillis())));

		// then
		assertThat(this.store.changes).isEmpty();
		assertThat(this.counters.get("fixedMissing")).isEqualTo(1);
		assertThat(this.counters.get("capped")).isEqualTo(2);
	}

	private TtlItemWriter writer(Duration maxTtl, Duration stateTtl, boolean fromAge, boolean dryRun) {
		return new TtlItemWriter(this.store, maxTtl, stateTtl, fromAge, dryRun, Clock.fixed(NOW, ZoneOffset.UTC),
				this.counters);
	}

	private static KeyInfo state(String threadId, long expireAtMillis) {
		return new KeyInfo("document_workflow:" + threadId, threadId, "string", 64, expireAtMillis, null);
	}

	private static KeyInfo state(String threadId, String updatedAt) {
		return new KeyInfo("document_workflow:" + threadId, threadId, "string", 64, WorkflowEntry.NO_EXPIRY,
				("{\"status\":\"processing\",\"updated_at\":\"" + updatedAt + "\"}").getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * Records the changes asked of it and answers the outcomes it was given (UNTOUCHED
	 * past them).
	 */
	private static final class RecordingStore implements MaintainableStore {

		final List<TtlChange> changes = new ArrayList<>();

		final List<TtlOutcome> outcomes = new ArrayList<>();

		@Override
		public List<TtlOutcome> enforceTtl(List<TtlChange> changes) {
			List<TtlOutcome> answered = new ArrayList<>();
			for (TtlChange change : changes) {
				int index = this.changes.size();
				this.changes.add(change);
				answered.add((index < this.outcomes.size()) ? this.outcomes.get(index) : TtlOutcome.UNTOUCHED);
			}
			return answered;
		}

		@Override
		public List<ItemStreamReader<KeyInfo>> keyReaders(String name, KeyDetail detail) {
			throw new UnsupportedOperationException("the writer reads nothing");
		}

		@Override
		public List<Boolean> deleteIfUnchanged(List<KeyValue> judged) {
			throw new UnsupportedOperationException("the writer deletes nothing");
		}

		@Override
		public List<Boolean> exist(List<String> keys) {
			throw new UnsupportedOperationException("the writer asks for no keys");
		}

		@Override
		public Map<String, Object> serverInfo() {
			throw new UnsupportedOperationException("the writer asks nothing of the server");
		}

	}

}
