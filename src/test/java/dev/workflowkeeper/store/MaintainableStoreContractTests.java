package dev.workflowkeeper.store;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeyValue;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What every {@link MaintainableStore} does, whichever store it works on: a subclass per
 * implementation says how to write and look at keys in its store, as Spring Batch's
 * {@code AbstractItemStreamItemReaderTests} does for readers. A store that cannot hold a
 * case (the memory store keeps no key without a TTL, nor other types than strings) skips
 * it, and says so.
 * <p>
 * Expiries are asserted as what is left of them (PTTL) and against what they were before,
 * never as exact instants: after {@code enforceTtl} with a maximum M a key has at most M
 * left, and no key's expiry is ever later than it was.
 */
public abstract class MaintainableStoreContractTests {

	protected static final String PREFIX = SampleStates.PREFIX;

	private static final Duration HOUR = Duration.ofHours(1);

	private static final Duration DAY = Duration.ofDays(1);

	/**
	 * How far a TTL may run down between a change and the look at it, on the slowest
	 * machine.
	 */
	private static final long TOLERANCE_MILLIS = 60_000;

	/**
	 * How a store walks its keys and batches its per-key work; the memory store has
	 * neither pages nor pipelines and ignores it.
	 *
	 * @param scanCount the COUNT hint of each SCAN
	 * @param pipelineSize keys per pipeline (a reader's inspection, a batch of changes or
	 * deletes)
	 * @param pipelinesInFlight pipelines a reader keeps in flight ahead of the step
	 */
	protected record Paging(int scanCount, int pipelineSize, int pipelinesInFlight) {

		/** The worker's defaults: every test key fits in one page and one batch. */
		protected static final Paging DEFAULTS = new Paging(1000, 1000, 2);

		/**
		 * Pages of about 20 keys, pipelines and batches of 3: restarts fall inside both.
		 */
		protected static final Paging SMALL = new Paging(20, 3, 2);

		/** Each key is inspected only when the reader needs it: nothing is read ahead. */
		protected static final Paging ONE_BY_ONE = new Paging(1000, 1, 0);

	}

	/**
	 * How the fill expiry of a change relates to its maximum: Redis 7 takes another way
	 * for each.
	 */
	protected enum Fill {

		AT_MAX, BELOW_MAX;

		Duration of(Duration max) {
			return (this == AT_MAX) ? max : max.dividedBy(2);
		}

	}

	/**
	 * The maintenance operations of an empty store under {@link #PREFIX}, usable until
	 * the test ends.
	 */
	protected abstract MaintainableStore maintenance(Paging paging);

	/**
	 * Writes a string key as the service does, with a TTL, or without one ({@code null}).
	 */
	protected abstract void put(String key, String value, Duration ttl);

	/**
	 * Writes many string keys with one TTL: as many {@link #put}s, unless the store has a
	 * faster way.
	 */
	protected void putAll(Map<String, String> values, Duration ttl) {
		values.forEach((key, value) -> put(key, value, ttl));
	}

	/**
	 * The key's remaining time to live in milliseconds as PTTL answers: -1 without one,
	 * -2 when gone.
	 */
	protected abstract long pttl(String key);

	/** The value of a string key; {@code null} when it is gone. */
	protected abstract String value(String key);

	/** Deletes a key, as the service does. */
	protected abstract void delete(String key);

	/**
	 * Whether the store keeps keys without a TTL; {@link #put} takes a {@code null} TTL
	 * only then.
	 */
	protected abstract boolean keepsKeysWithoutTtl();

	/**
	 * Whether the store holds keys of other types than strings; {@link #putOtherType}
	 * works only then.
	 */
	protected boolean holdsOtherTypes() {
		return false;
	}

	/** Writes a key of another type (a hash), without a TTL. */
	protected void putOtherType(String key) {
		throw new UnsupportedOperationException("this store holds strings only");
	}

	/**
	 * Whether a key reader counts under {@code vanished} the keys that went between
	 * listing and inspection.
	 */
	protected boolean countsVanishedKeys() {
		return false;
	}

	// key readers

	@Test
	void shouldDescribeEveryKeyUnderThePrefixAndNoOther() throws Exception {
		// given
		String large = "{\"x\":\"" + "x".repeat(150 * 1024) + "\"}";
		long before = System.currentTimeMillis();
		put(PREFIX + "small", "{\"status\":\"running\",\"updated_at\":\"2024-05-01T12:00:00\"}", HOUR);
		put(PREFIX + "large", large, HOUR);
		long after = System.currentTimeMillis();
		put("document_workflowX1", "{}", HOUR);
		put("document_workflow_meta:1", "{}", HOUR);
		put("session:1", "{}", HOUR);
		put(PREFIX, "{}", HOUR);
		ExecutionContext context = new ExecutionContext();

		// when
		Map<String, KeyInfo> keys = byKey(readAll(maintenance(Paging.DEFAULTS), KeyDetail.VALUE, context));

		// then
		assertThat(keys).containsOnlyKeys(PREFIX + "small", PREFIX + "large");
		KeyInfo small = keys.get(PREFIX + "small");
		assertThat(small.threadId()).isEqualTo("small");
		assertThat(small.type()).isEqualTo("string");
		assertThat(small.value()).isEqualTo(bytes("{\"status\":\"running\",\"updated_at\":\"2024-05-01T12:00:00\"}"));
		assertThat(small.fields().status()).isEqualTo("running");
		assertThat(small.fields().hasUpdatedAt()).isTrue();
		assertThat(small.memoryBytes()).isGreaterThanOrEqualTo(small.value().length);
		// never later than the key's expiry, at most a round trip earlier where only PTTL
		// is known
		assertThat(small.expireAtMillis()).isBetween(before + HOUR.toMillis() - 1_000, after + HOUR.toMillis());
		KeyInfo largeInfo = keys.get(PREFIX + "large");
		assertThat(largeInfo.value()).isEqualTo(bytes(large));
		assertThat(largeInfo.memoryBytes()).isGreaterThanOrEqualTo(large.length());
		assertThat(count(context, "read")).isEqualTo(2);
	}

	@Test
	void shouldLeaveOutWhatTheDetailDoesNotAskFor() throws Exception {
		// given
		put(PREFIX + "t-1", "{\"status\":\"running\"}", HOUR);
		put(PREFIX + "t-2", "{\"status\":\"completed\"}", HOUR);
		MaintainableStore maintenance = maintenance(Paging.DEFAULTS);

		// when
		List<KeyInfo> typed = readAll(maintenance, KeyDetail.TYPE, new ExecutionContext());
		List<KeyInfo> cheapest = readAll(maintenance, KeyDetail.SIZE_AND_TTL, new ExecutionContext());

		// then
		assertThat(typed).extracting(KeyInfo::threadId).containsExactlyInAnyOrder("t-1", "t-2");
		assertThat(typed).extracting(KeyInfo::type).containsOnly("string");
		assertThat(typed).extracting(KeyInfo::value).containsOnlyNulls();
		assertThat(typed).extracting(KeyInfo::fields).containsOnlyNulls();
		assertThat(cheapest).extracting(KeyInfo::threadId).containsExactlyInAnyOrder("t-1", "t-2");
		assertThat(cheapest).extracting(KeyInfo::type).containsOnlyNulls();
		assertThat(cheapest).extracting(KeyInfo::value).containsOnlyNulls();
		assertThat(cheapest).allSatisfy((key) -> {
			assertThat(key.memoryBytes()).isPositive();
			assertThat(key.expireAtMillis()).isGreaterThan(System.currentTimeMillis());
		});
	}

	@Test
	void shouldDescribeAKeyWithoutTtlAsNeverExpiring() throws Exception {
		assumeTrue(keepsKeysWithoutTtl(), "this store keeps no key without a TTL");

		// given
		put(PREFIX + "forever", "{}", null);

		// when
		List<KeyInfo> keys = readAll(maintenance(Paging.DEFAULTS), KeyDetail.SIZE_AND_TTL, new ExecutionContext());

		// then
		assertThat(keys).singleElement()
			.satisfies((key) -> assertThat(key.expireAtMillis()).isEqualTo(WorkflowEntry.NO_EXPIRY));
	}

	@Test
	void shouldDescribeKeysOfOtherTypesWithoutAValue() throws Exception {
		assumeTrue(holdsOtherTypes(), "this store holds strings only");

		// given
		putOtherType(PREFIX + "hash");
		put(PREFIX + "t-1", "{}", HOUR);
		MaintainableStore maintenance = maintenance(Paging.DEFAULTS);

		// when
		Map<String, KeyInfo> withValues = byKey(readAll(maintenance, KeyDetail.VALUE, new ExecutionContext()));
		Map<String, KeyInfo> typed = byKey(readAll(maintenance, KeyDetail.TYPE, new ExecutionContext()));

		// then
		for (KeyInfo hash : List.of(withValues.get(PREFIX + "hash"), typed.get(PREFIX + "hash"))) {
			assertThat(hash.threadId()).isEqualTo("hash");
			assertThat(hash.type()).isEqualTo("hash");
			assertThat(hash.value()).isNull();
			assertThat(hash.fields()).isNull();
			assertThat(hash.memoryBytes()).isPositive();
			assertThat(hash.expireAtMillis()).isEqualTo(WorkflowEntry.NO_EXPIRY);
		}
		assertThat(withValues.get(PREFIX + "t-1").value()).isEqualTo(bytes("{}"));
	}

	@Test
	void shouldReadEveryKeyOnceAcrossRestartsFromTheLastSavedContext() throws Exception {
		// given: states among as many keys of another prefix
		Set<String> expected = new HashSet<>();
		Map<String, String> values = new LinkedHashMap<>();
		for (int i = 0; i < 2_000; i++) {
			expected.add("thread-" + i);
			values.put(PREFIX + "thread-" + i, "{\"n\":" + i + "}");
			values.put("session:" + i, "{}");
		}
		putAll(values, HOUR);
		MaintainableStore maintenance = maintenance(Paging.SMALL);
		int readers = maintenance.keyReaders("keys", KeyDetail.VALUE).size();
		List<String> committed = new ArrayList<>();
		ExecutionContext saved = new ExecutionContext();

		// when: each run commits two chunks of 37 keys, then fails inside a third, whose
		// keys are read
		// again after the restart from the context of the last commit
		for (int r = 0; r < readers; r++) {
			boolean more = true;
			while (more) {
				ExecutionContext context = new ExecutionContext(saved);
				ItemStreamReader<KeyInfo> reader = maintenance.keyReaders("keys", KeyDetail.VALUE).get(r);
				reader.open(context);
				for (int chunk = 0; chunk < 2 && more; chunk++) {
					List<String> items = read(reader, 37);
					more = items.size() == 37;
					committed.addAll(items);
					reader.update(context);
					saved = new ExecutionContext(context);
				}
				if (more) {
					read(reader, 11);
				}
				reader.close();
			}
		}

		// then
		assertThat(committed).hasSize(2_000).doesNotHaveDuplicates();
		assertThat(new HashSet<>(committed)).isEqualTo(expected);
		assertThat(count(saved, "read")).isEqualTo(2_000);
	}

	@Test
	void shouldGoOnWhenKeysVanishInTheMiddleOfAScan() throws Exception {
		// given: five keys, the reader at the first of them
		Set<String> all = new TreeSet<>();
		for (int i = 1; i <= 5; i++) {
			all.add(PREFIX + "t-" + i);
			put(PREFIX + "t-" + i, "{}", HOUR);
		}
		List<ItemStreamReader<KeyInfo>> readers = maintenance(Paging.ONE_BY_ONE).keyReaders("keys", KeyDetail.TYPE);
		assumeTrue(readers.size() == 1, "the keys are spread over several readers");
		ItemStreamReader<KeyInfo> reader = readers.get(0);
		ExecutionContext context = new ExecutionContext();
		reader.open(context);
		KeyInfo first = reader.read();
		String kept = all.stream().filter((key) -> !key.equals(first.key())).reduce((a, b) -> b).orElseThrow();
		Set<String> deleted = new TreeSet<>(all);
		deleted.removeAll(List.of(first.key(), kept));

		// when: the service deletes three of the others meanwhile
		deleted.forEach(this::delete);
		List<String> rest = new ArrayList<>();
		for (KeyInfo info = reader.read(); info != null; info = reader.read()) {
			rest.add(info.key());
		}
		reader.update(context);
		reader.close();

		// then: a deleted key is passed over, or returned as it was when it was listed;
		// never twice
		assertThat(rest).contains(kept).doesNotContain(first.key()).doesNotHaveDuplicates();
		assertThat(all).containsAll(rest);
		assertThat(count(context, "read")).isEqualTo(1 + rest.size());
		if (countsVanishedKeys()) {
			long returned = rest.stream().filter(deleted::contains).count();
			assertThat(count(context, "vanished")).isEqualTo(deleted.size() - returned);
		}
	}

	// enforceTtl

	@ParameterizedTest
	@EnumSource(Fill.class)
	void shouldFillAMissingTtl(Fill fill) {
		assumeTrue(keepsKeysWithoutTtl(), "this store keeps no key without a TTL");

		// given
		put(PREFIX + "missing", "{}", null);

		// when
		List<TtlOutcome> outcomes = maintenance(Paging.DEFAULTS)
			.enforceTtl(List.of(ttlChange(PREFIX + "missing", fill.of(DAY), DAY, null)));

		// then
		assertThat(outcomes).containsExactly(TtlOutcome.FIXED_MISSING);
		long filled = fill.of(DAY).toMillis();
		assertThat(pttl(PREFIX + "missing")).isBetween(filled - TOLERANCE_MILLIS, filled);
	}

	@ParameterizedTest
	@EnumSource(Fill.class)
	void shouldCapATtlAboveTheMaximum(Fill fill) {
		// given
		put(PREFIX + "long", "{}", DAY.multipliedBy(10));

		// when
		List<TtlOutcome> outcomes = maintenance(Paging.DEFAULTS)
			.enforceTtl(List.of(ttlChange(PREFIX + "long", fill.of(DAY), DAY, null)));

		// then
		assertThat(outcomes).containsExactly(TtlOutcome.CAPPED);
		assertThat(pttl(PREFIX + "long")).isBetween(DAY.toMillis() - TOLERANCE_MILLIS, DAY.toMillis());
	}

	@ParameterizedTest
	@EnumSource(Fill.class)
	void shouldLeaveATtlBelowTheMaximumUntouched(Fill fill) {
		// given
		put(PREFIX + "short", "{}", HOUR);

		// when
		List<TtlOutcome> outcomes = maintenance(Paging.DEFAULTS)
			.enforceTtl(List.of(ttlChange(PREFIX + "short", fill.of(DAY), DAY, null)));

		// then
		assertThat(outcomes).containsExactly(TtlOutcome.UNTOUCHED);
		assertThat(pttl(PREFIX + "short")).isBetween(HOUR.toMillis() - TOLERANCE_MILLIS, HOUR.toMillis());
	}

	@ParameterizedTest
	@EnumSource(Fill.class)
	void shouldAnswerChangedOrGoneForAKeyThatIsGone(Fill fill) {
		// when
		List<TtlOutcome> outcomes = maintenance(Paging.DEFAULTS)
			.enforceTtl(List.of(ttlChange(PREFIX + "gone", fill.of(DAY), DAY, null),
					ttlChange(PREFIX + "gone", fill.of(DAY), DAY, "{}")));

		// then
		assertThat(outcomes).containsExactly(TtlOutcome.CHANGED_OR_GONE, TtlOutcome.CHANGED_OR_GONE);
		assertThat(pttl(PREFIX + "gone")).isEqualTo(-2);
	}

	@ParameterizedTest
	@EnumSource(Fill.class)
	void shouldAnswerEachChangeInOrderAndNeverLengthenAnExpiry(Fill fill) {
		// given: more changes than fit in one batch
		Map<String, TtlOutcome> expected = new LinkedHashMap<>();
		put(PREFIX + "long", "{}", DAY.multipliedBy(10));
		expected.put(PREFIX + "long", TtlOutcome.CAPPED);
		put(PREFIX + "short", "{}", HOUR);
		expected.put(PREFIX + "short", TtlOutcome.UNTOUCHED);
		expected.put(PREFIX + "gone", TtlOutcome.CHANGED_OR_GONE);
		put(PREFIX + "just-below", "{}", DAY.minusMinutes(10));
		expected.put(PREFIX + "just-below", TtlOutcome.UNTOUCHED);
		if (keepsKeysWithoutTtl()) {
			put(PREFIX + "missing", "{}", null);
			expected.put(PREFIX + "missing", TtlOutcome.FIXED_MISSING);
		}
		if (holdsOtherTypes()) {
			putOtherType(PREFIX + "hash");
			expected.put(PREFIX + "hash", TtlOutcome.FIXED_MISSING);
		}
		put(PREFIX + "long-2", "{}", DAY.multipliedBy(2));
		expected.put(PREFIX + "long-2", TtlOutcome.CAPPED);
		List<TtlChange> changes = expected.keySet()
			.stream()
			.map((key) -> ttlChange(key, fill.of(DAY), DAY, null))
			.toList();
		MaintainableStore maintenance = maintenance(Paging.SMALL);
		Map<String, Long> before = pttls(expected.keySet());

		// when
		List<TtlOutcome> first = maintenance.enforceTtl(changes);
		Map<String, Long> afterFirst = pttls(expected.keySet());
		List<TtlOutcome> second = maintenance.enforceTtl(changes);
		Map<String, Long> afterSecond = pttls(expected.keySet());

		// then
		assertThat(first).containsExactlyElementsOf(expected.values());
		assertThat(second).containsExactlyElementsOf(expected.values()
			.stream()
			.map((outcome) -> (outcome == TtlOutcome.CHANGED_OR_GONE) ? outcome : TtlOutcome.UNTOUCHED)
			.toList());
		for (String key : expected.keySet()) {
			assertNeverLater(key, before.get(key), afterFirst.get(key));
			assertNeverLater(key, afterFirst.get(key), afterSecond.get(key));
			if (!key.endsWith("gone")) {
				assertThat(afterSecond.get(key)).as(key).isBetween(0L, DAY.toMillis());
			}
		}
	}

	@Test
	void shouldSetExpiriesTheirPlaceBelowTheMaximumAndLeaveTheOnesAtOrBelowIt() {
		// given: a key far above the maximum, one refreshed by the service to exactly the
		// maximum, one a minute below it, and (where the store keeps them) keys without
		// a TTL; each change's place in the spread is an hour below the maximum
		long below = HOUR.toMillis();
		Map<String, TtlOutcome> expected = new LinkedHashMap<>();
		put(PREFIX + "long", "{}", DAY.multipliedBy(10));
		expected.put(PREFIX + "long", TtlOutcome.CAPPED);
		put(PREFIX + "refreshed", "{}", DAY);
		expected.put(PREFIX + "refreshed", TtlOutcome.UNTOUCHED);
		put(PREFIX + "minute-below", "{}", DAY.minusMinutes(1));
		expected.put(PREFIX + "minute-below", TtlOutcome.UNTOUCHED);
		if (keepsKeysWithoutTtl()) {
			put(PREFIX + "missing", "{}", null);
			expected.put(PREFIX + "missing", TtlOutcome.FIXED_MISSING);
			put(PREFIX + "missing-early-fill", "{}", null);
			expected.put(PREFIX + "missing-early-fill", TtlOutcome.FIXED_MISSING);
		}
		long now = System.currentTimeMillis();
		List<TtlChange> changes = expected.keySet()
			.stream()
			.map((key) -> TtlChange.withinTtl(key,
					key.endsWith("early-fill") ? now + HOUR.toMillis() : TtlChange.UNBOUNDED, DAY, below, null))
			.toList();

		// when
		List<TtlOutcome> outcomes = maintenance(Paging.SMALL).enforceTtl(changes);

		// then: what was set is the maximum less its place, never above; a TTL at or
		// below
		// the maximum is the service's
		assertThat(outcomes).containsExactlyElementsOf(expected.values());
		long target = DAY.toMillis() - below;
		assertThat(pttl(PREFIX + "long")).isBetween(target - TOLERANCE_MILLIS, target);
		assertThat(pttl(PREFIX + "refreshed")).isBetween(target + 1, DAY.toMillis());
		assertThat(pttl(PREFIX + "minute-below")).isBetween(target + 1, DAY.minusMinutes(1).toMillis());
		if (keepsKeysWithoutTtl()) {
			assertThat(pttl(PREFIX + "missing")).isBetween(target - TOLERANCE_MILLIS, target);
			assertThat(pttl(PREFIX + "missing-early-fill")).isBetween(HOUR.toMillis() - TOLERANCE_MILLIS,
					HOUR.toMillis());
		}
	}

	@Test
	void shouldChangeTtlOnlyWhileTheValueIsTheJudgedOne() {
		// given: values judged, then one key rewritten by the service
		String judged = "{\"v\":1}";
		Map<String, TtlOutcome> expected = new LinkedHashMap<>();
		put(PREFIX + "same-long", judged, DAY.multipliedBy(10));
		expected.put(PREFIX + "same-long", TtlOutcome.CAPPED);
		put(PREFIX + "rewritten", "{\"v\":2}", DAY.multipliedBy(10));
		expected.put(PREFIX + "rewritten", TtlOutcome.CHANGED_OR_GONE);
		expected.put(PREFIX + "gone", TtlOutcome.CHANGED_OR_GONE);
		if (keepsKeysWithoutTtl()) {
			put(PREFIX + "same-missing", judged, null);
			expected.put(PREFIX + "same-missing", TtlOutcome.FIXED_MISSING);
		}
		if (holdsOtherTypes()) {
			putOtherType(PREFIX + "now-a-hash");
			expected.put(PREFIX + "now-a-hash", TtlOutcome.CHANGED_OR_GONE);
		}
		List<TtlChange> changes = expected.keySet().stream().map((key) -> ttlChange(key, DAY, DAY, judged)).toList();

		// when
		List<TtlOutcome> outcomes = maintenance(Paging.DEFAULTS).enforceTtl(changes);

		// then
		assertThat(outcomes).containsExactlyElementsOf(expected.values());
		assertThat(pttl(PREFIX + "same-long")).isBetween(0L, DAY.toMillis());
		assertThat(pttl(PREFIX + "rewritten")).isGreaterThan(DAY.multipliedBy(9).toMillis());
		assertThat(value(PREFIX + "rewritten")).isEqualTo("{\"v\":2}");
		if (keepsKeysWithoutTtl()) {
			assertThat(pttl(PREFIX + "same-missing")).isBetween(0L, DAY.toMillis());
		}
		if (holdsOtherTypes()) {
			assertThat(pttl(PREFIX + "now-a-hash")).isEqualTo(-1);
		}
	}

	@Test
	void shouldRefuseKeysOutsideThePrefixAndFillsBeyondTheMaximumBeforeChangingAnything() {
		// given
		put(PREFIX + "long", "{}", DAY.multipliedBy(10));
		put("session:1", "{}", DAY.multipliedBy(10));
		TtlChange valid = ttlChange(PREFIX + "long", DAY, DAY, null);
		MaintainableStore maintenance = maintenance(Paging.DEFAULTS);

		// when / then
		assertThatIllegalArgumentException()
			.isThrownBy(() -> maintenance.enforceTtl(List.of(valid, ttlChange("session:1", DAY, DAY, null))));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> maintenance.enforceTtl(List.of(valid, ttlChange(PREFIX, DAY, DAY, null))));
		assertThatIllegalArgumentException().isThrownBy(
				() -> maintenance.enforceTtl(List.of(valid, ttlChange(PREFIX + "t", DAY.plusHours(1), DAY, null))));
		KeyValue judged = new KeyValue(PREFIX + "long", bytes("{}"));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> maintenance.deleteIfUnchanged(List.of(judged, new KeyValue("session:1", bytes("{}")))));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> maintenance.deleteIfUnchanged(List.of(judged, new KeyValue(PREFIX + "t", null))));
		assertThat(pttl(PREFIX + "long")).isGreaterThan(DAY.multipliedBy(9).toMillis());
		assertThat(pttl("session:1")).isGreaterThan(DAY.multipliedBy(9).toMillis());
	}

	// deleteIfUnchanged

	@Test
	void shouldDeleteOnlyKeysStillHoldingTheJudgedValue() {
		// given: states judged stale, then one rewritten and one deleted by the service
		String judged = "{\"v\":1}";
		Map<String, Boolean> expected = new LinkedHashMap<>();
		for (String threadId : List.of("stale", "rewritten", "deleted", "stale-2")) {
			put(PREFIX + threadId, judged, HOUR);
		}
		put(PREFIX + "rewritten", "{\"v\":2}", HOUR);
		delete(PREFIX + "deleted");
		expected.put(PREFIX + "stale", true);
		expected.put(PREFIX + "rewritten", false);
		expected.put(PREFIX + "deleted", false);
		if (holdsOtherTypes()) {
			putOtherType(PREFIX + "hash");
			expected.put(PREFIX + "hash", false);
		}
		expected.put(PREFIX + "stale-2", true);
		List<KeyValue> toDelete = expected.keySet().stream().map((key) -> new KeyValue(key, bytes(judged))).toList();

		// when: in batches smaller than the list
		List<Boolean> deleted = maintenance(Paging.SMALL).deleteIfUnchanged(toDelete);

		// then
		assertThat(deleted).containsExactlyElementsOf(expected.values());
		assertThat(pttl(PREFIX + "stale")).isEqualTo(-2);
		assertThat(pttl(PREFIX + "stale-2")).isEqualTo(-2);
		assertThat(value(PREFIX + "rewritten")).isEqualTo("{\"v\":2}");
		if (holdsOtherTypes()) {
			assertThat(pttl(PREFIX + "hash")).isEqualTo(-1);
		}
	}

	// exist

	@Test
	void shouldTellWhichKeysExistInOrderAndRefuseKeysOutsideThePrefix() {
		// given: two states, one deleted, and a key of another type when the store has
		// them
		put(PREFIX + "here", "{}", HOUR);
		put(PREFIX + "deleted", "{}", HOUR);
		delete(PREFIX + "deleted");
		List<String> keys = new ArrayList<>(List.of(PREFIX + "deleted", PREFIX + "here", PREFIX + "never"));
		if (holdsOtherTypes()) {
			putOtherType(PREFIX + "hash");
			keys.add(PREFIX + "hash");
		}
		for (int i = 0; i < 7; i++) {
			put(PREFIX + "more-" + i, "{}", HOUR);
			keys.add(PREFIX + "more-" + i);
		}
		MaintainableStore maintenance = maintenance(Paging.SMALL);

		// when: in batches smaller than the list
		List<Boolean> exist = maintenance.exist(keys);

		// then
		assertThat(exist).hasSize(keys.size());
		assertThat(exist.subList(0, 3)).containsExactly(false, true, false);
		assertThat(exist.subList(3, exist.size())).containsOnly(true);
		assertThatIllegalArgumentException().isThrownBy(() -> maintenance.exist(List.of(PREFIX + "here", "session:1")));
	}

	// serverInfo

	@Test
	void shouldReportWhatEveryStoreKnowsOfItself() {
		// given: a state and a key of another prefix
		put(PREFIX + "t-1", "{}", HOUR);
		put("session:1", "{}", HOUR);

		// when
		Map<String, Object> info = maintenance(Paging.DEFAULTS).serverInfo();

		// then
		assertThat(info).containsKeys("role", "usedMemory", "maxmemory", "maxmemoryPolicy", "expiredKeys",
				"evictedKeys", "dbKeys");
		assertThat(info.get("role")).asString().isNotBlank();
		assertThat(info.get("maxmemoryPolicy")).asString().isNotBlank();
		assertThat(info.get("usedMemory")).isInstanceOfSatisfying(Long.class,
				(value) -> assertThat(value).isPositive());
		for (String count : List.of("maxmemory", "expiredKeys", "evictedKeys")) {
			assertThat(info.get(count)).as(count)
				.isInstanceOfSatisfying(Long.class, (value) -> assertThat(value).isNotNegative());
		}
		assertThat(info.get("dbKeys")).isEqualTo(2L);
	}

	/**
	 * A change to the TTL of {@code key}, judged now: fill a missing one with
	 * {@code fill}, cap one above {@code max}; only while the value is
	 * {@code expectedValue} when that is given.
	 */
	protected static TtlChange ttlChange(String key, Duration fill, Duration max, String expectedValue) {
		long now = System.currentTimeMillis();
		return new TtlChange(key, now + fill.toMillis(), now + max.toMillis(),
				(expectedValue != null) ? bytes(expectedValue) : null);
	}

	/**
	 * Every key of every reader of the store, each reader opened on {@code context} and
	 * updated into it.
	 */
	protected static List<KeyInfo> readAll(MaintainableStore maintenance, KeyDetail detail, ExecutionContext context)
			throws Exception {
		List<KeyInfo> keys = new ArrayList<>();
		for (ItemStreamReader<KeyInfo> reader : maintenance.keyReaders("keys", detail)) {
			reader.open(context);
			for (KeyInfo info = reader.read(); info != null; info = reader.read()) {
				keys.add(info);
			}
			reader.update(context);
			reader.close();
		}
		return keys;
	}

	protected static Map<String, KeyInfo> byKey(List<KeyInfo> keys) {
		return keys.stream().collect(Collectors.toMap(KeyInfo::key, Function.identity()));
	}

	protected static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * A count the readers keep in the ExecutionContext ({@code read}, {@code vanished}),
	 * over all readers.
	 */
	private static long count(ExecutionContext context, String name) {
		return context.entrySet()
			.stream()
			.filter((entry) -> entry.getKey().endsWith("." + name))
			.mapToLong((entry) -> (Long) entry.getValue())
			.sum();
	}

	private static List<String> read(ItemStreamReader<KeyInfo> reader, int most) throws Exception {
		List<String> threadIds = new ArrayList<>();
		for (int i = 0; i < most; i++) {
			KeyInfo info = reader.read();
			if (info == null) {
				break;
			}
			threadIds.add(info.threadId());
		}
		return threadIds;
	}

	private Map<String, Long> pttls(Set<String> keys) {
		Map<String, Long> pttls = new LinkedHashMap<>();
		keys.forEach((key) -> pttls.put(key, pttl(key)));
		return pttls;
	}

	/**
	 * The later look finds the key's expiry no later than the earlier one did; any expiry
	 * beats none.
	 */
	private static void assertNeverLater(String key, long pttlBefore, long pttlAfter) {
		if (pttlBefore == -1) {
			return;
		}
		assertThat(pttlAfter).as(key).isLessThanOrEqualTo(pttlBefore);
	}

}
