package dev.workflowkeeper.ttl;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import dev.workflowkeeper.store.MaintainableStore;
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
	void shouldGiveEachKeyItsPlaceInTheSpreadBelowTheMaximumOnTheStoresClock() {
		// given: an hour's spread below a day, the service's TTL the maximum; 2,000 keys
		// without a TTL and 2,000 far above the maximum
		Duration spread = Duration.ofHours(1);
		TtlItemWriter writer = writer(DAY, spread, DAY, false, false);
		Chunk<KeyInfo> chunk = new Chunk<>();
		for (int i = 0; i < 2_000; i++) {
			chunk.add(state("missing-" + i, WorkflowEntry.NO_EXPIRY));
			chunk.add(state("far-" + i, NOW_MILLIS + 10 * DAY.toMillis()));
		}

		// when
		writer.write(chunk);

		// then: the store is asked for the maximum, counted on its own clock, less each
		// key's place: never above the maximum, never more than the spread below it,
		// and the places spread over the hour
		ExpirySpread places = new ExpirySpread(spread);
		assertThat(this.store.changes).hasSize(4_000).allSatisfy((change) -> {
			assertThat(change.fillExpireAtMillis()).isEqualTo(TtlChange.UNBOUNDED);
			assertThat(change.maxExpireAtMillis()).isEqualTo(TtlChange.UNBOUNDED);
			assertThat(change.maxTtl()).isEqualTo(DAY);
			assertThat(change.belowMaxMillis()).isBetween(0L, spread.toMillis())
				.isEqualTo(places.offsetMillis(change.key()));
		});
		Map<Long, Long> keysByMinute = this.store.changes.stream()
			.collect(Collectors.groupingBy((change) -> change.belowMaxMillis() / 60_000, Collectors.counting()));
		assertThat(keysByMinute).hasSizeGreaterThanOrEqualTo(59);
		assertThat(keysByMinute.values()).allSatisfy((keys) -> assertThat(keys).isLessThan(4_000 / 60 * 2));
	}

	@Test
	void shouldSpreadFillsBelowAServiceTtlShorterThanTheMaximum() {
		// given
		Duration stateTtl = Duration.ofHours(6);
		Duration spread = Duration.ofMinutes(30);
		TtlItemWriter writer = writer(DAY, spread, stateTtl, false, false);
		KeyInfo missing = state("missing", WorkflowEntry.NO_EXPIRY);

		// when
		writer.write(Chunk.of(missing));

		// then
		long below = new ExpirySpread(spread).offsetMillis(missing.key());
		assertThat(this.store.changes).containsExactly(TtlChange.withinTtl("document_workflow:missing",
				NOW_MILLIS + stateTtl.toMillis() - below, DAY, below, null));
	}

	@Test
	void shouldKeepFillingFromTheAgeWithinTheKeysPlaceBelowTheMaximum() {
		// given: updated two hours ago, three days ago, and (a clock off) an hour from
		// now, with an hour's spread
		Duration spread = Duration.ofHours(1);
		TtlItemWriter writer = writer(DAY, spread, DAY, true, false);
		KeyInfo recent = state("recent", "2025-03-01T10:00:00Z");
		KeyInfo old = state("old", "2025-02-26T12:00:00Z");
		KeyInfo future = state("future", "2025-03-01T13:00:00Z");
		ExpirySpread places = new ExpirySpread(spread);

		// when
		writer.write(Chunk.of(recent, old, future));

		// then: the age, a minute and its place for a state past its life, and the
		// maximum less its place for one whose age leaves more
		assertThat(this.store.changes).containsExactly(
				TtlChange.withinTtl("document_workflow:recent", NOW_MILLIS + Duration.ofHours(22).toMillis(), DAY,
						places.offsetMillis(recent.key()), recent.value()),
				TtlChange.withinTtl("document_workflow:old", NOW_MILLIS + 60_000 + places.offsetMillis(old.key()), DAY,
						places.offsetMillis(old.key()), old.value()),
				TtlChange.withinTtl("document_workflow:future", TtlChange.UNBOUNDED, DAY,
						places.offsetMillis(future.key()), future.value()));
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
		return writer(maxTtl, Duration.ZERO, stateTtl, fromAge, dryRun);
	}

	private TtlItemWriter writer(Duration maxTtl, Duration spread, Duration stateTtl, boolean fromAge, boolean dryRun) {
		return new TtlItemWriter(this.store, maxTtl, spread, stateTtl, fromAge, dryRun,
				Clock.fixed(NOW, ZoneOffset.UTC), this.counters);
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
