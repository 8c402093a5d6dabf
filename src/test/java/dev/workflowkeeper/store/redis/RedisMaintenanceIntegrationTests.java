package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeyValue;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static dev.workflowkeeper.store.redis.RedisTestServers.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

class RedisMaintenanceIntegrationTests {

	private static final long HOUR = 3_600_000;

	private static final long DAY = 24 * HOUR;

	private static final RedisTestServers servers = new RedisTestServers();

	@AfterAll
	static void stopServers() {
		servers.close();
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldDescribeEveryKeyUnderThePrefixAndNoOther(Version version) throws Exception {
		// given
		RedisServerProcess server = servers.fresh(version);
		long expireAt = System.currentTimeMillis() + HOUR;
		byte[] large = new byte[150 * 1024];
		Arrays.fill(large, (byte) 'x');
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.set(PREFIX + "with-ttl", "{\"a\":1}", SetParams.setParams().pxAt(expireAt));
			jedis.set(PREFIX + "without-ttl", "{\"b\":2}");
			jedis.set(bytes(PREFIX + "large"), large, SetParams.setParams().pxAt(expireAt));
			jedis.hset(PREFIX + "hash", "status", "running");
			jedis.set("document_workflowX1", "{}");
			jedis.set("document_workflow_meta:1", "{}");
			jedis.set("session:1", "{}");
			jedis.set(PREFIX, "{}");
		}
		ExecutionContext context = new ExecutionContext();

		// when
		Map<String, KeyInfo> keys = byKey(readAll(server, KeyDetail.VALUE, 1000, 1000, context));

		// then
		assertThat(keys).containsOnlyKeys(PREFIX + "with-ttl", PREFIX + "without-ttl", PREFIX + "large", PREFIX + "hash");
		KeyInfo withTtl = keys.get(PREFIX + "with-ttl");
		assertThat(withTtl.threadId()).isEqualTo("with-ttl");
		assertThat(withTtl.type()).isEqualTo("string");
		assertThat(withTtl.value()).isEqualTo(bytes("{\"a\":1}"));
		assertThat(withTtl.memoryBytes()).isGreaterThanOrEqualTo(7);
		assertExpiry(version, withTtl.expireAtMillis(), expireAt);
		KeyInfo withoutTtl = keys.get(PREFIX + "without-ttl");
		assertThat(withoutTtl.type()).isEqualTo("string");
		assertThat(withoutTtl.value()).isEqualTo(bytes("{\"b\":2}"));
		assertThat(withoutTtl.expireAtMillis()).isEqualTo(WorkflowEntry.NO_EXPIRY);
		KeyInfo largeInfo = keys.get(PREFIX + "large");
		assertThat(largeInfo.value()).isEqualTo(large);
		assertThat(largeInfo.memoryBytes()).isGreaterThanOrEqualTo(large.length);
		KeyInfo hash = keys.get(PREFIX + "hash");
		assertThat(hash.threadId()).isEqualTo("hash");
		assertThat(hash.type()).isEqualTo("hash");
		assertThat(hash.value()).isNull();
		assertThat(hash.memoryBytes()).isPositive();
		assertThat(hash.expireAtMillis()).isEqualTo(WorkflowEntry.NO_EXPIRY);
		assertThat(context.getLong("keys.read")).isEqualTo(4);
		assertThat(context.getLong("keys.vanished")).isZero();
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldLeaveValuesOutWhenNotAskedFor(Version version) throws Exception {
		// given
		RedisServerProcess server = servers.fresh(version);
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.set(PREFIX + "t-1", "{}");
			jedis.hset(PREFIX + "hash", "status", "running");
		}

		// when
		List<KeyInfo> keys = readAll(server, KeyDetail.TYPE, 1000, 1000, new ExecutionContext());

		// then
		assertThat(keys).extracting(KeyInfo::threadId).containsExactlyInAnyOrder("t-1", "hash");
		assertThat(keys).extracting(KeyInfo::value).containsOnlyNulls();
		assertThat(keys).extracting(KeyInfo::type).containsExactlyInAnyOrder("string", "hash");
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldReadOnlyMemoryAndExpiryForTheCheapestPass(Version version) throws Exception {
		// given
		RedisServerProcess server = servers.fresh(version);
		long expireAt = System.currentTimeMillis() + HOUR;
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.set(PREFIX + "t-1", "{}", SetParams.setParams().pxAt(expireAt));
			jedis.hset(PREFIX + "hash", "status", "running");
		}

		// when
		Map<String, KeyInfo> keys = byKey(readAll(server, KeyDetail.SIZE_AND_TTL, 1000, 1000, new ExecutionContext()));

		// then: no type and no value, but memory and expiry of every key
		assertThat(keys).containsOnlyKeys(PREFIX + "t-1", PREFIX + "hash");
		assertThat(keys.values()).extracting(KeyInfo::type).containsOnlyNulls();
		assertThat(keys.values()).extracting(KeyInfo::value).containsOnlyNulls();
		assertThat(keys.values()).allSatisfy((key) -> assertThat(key.memoryBytes()).isPositive());
		assertExpiry(version, keys.get(PREFIX + "t-1").expireAtMillis(), expireAt);
		assertThat(keys.get(PREFIX + "hash").expireAtMillis()).isEqualTo(WorkflowEntry.NO_EXPIRY);
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldReadEveryKeyExactlyOnceAcrossRestartsInTheMiddleOfPages(Version version) throws Exception {
		// given
		RedisServerProcess server = servers.fresh(version);
		Set<String> expected = new HashSet<>();
		try (Jedis jedis = RedisTestServers.jedis(server); Pipeline pipeline = jedis.pipelined()) {
			for (int i = 0; i < 2_000; i++) {
				expected.add("thread-" + i);
				pipeline.set(PREFIX + "thread-" + i, "{\"n\":" + i + "}", SetParams.setParams().px(HOUR));
				pipeline.set("session:" + i, "{}");
			}
		}
		ExecutionContext context = new ExecutionContext();
		List<String> seen = new ArrayList<>();

		// when: restart after odd counts, so that most restarts fall inside a page and inside a pipeline
		try (RedisWorkflowStore store = store(server, 20, 7)) {
			boolean more = true;
			while (more) {
				ItemStreamReader<KeyInfo> reader = maintenance(store).keyReaders("keys", KeyDetail.VALUE).get(0);
				reader.open(context);
				for (int i = 0; i < 37; i++) {
					KeyInfo info = reader.read();
					if (info == null) {
						more = false;
						break;
					}
					seen.add(info.threadId());
				}
				reader.update(context);
				reader.close();
			}
		}

		// then
		assertThat(seen).hasSize(2_000).doesNotHaveDuplicates();
		assertThat(new HashSet<>(seen)).isEqualTo(expected);
		assertThat(context.getLong("keys.read")).isEqualTo(2_000);
	}

	@Test
	void shouldCountKeysThatVanishBetweenScanAndInspection() throws Exception {
		// given: a page of five keys, inspected one by one
		RedisServerProcess server = servers.fresh(Version.DEFAULT);
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			for (int i = 1; i <= 5; i++) {
				jedis.set(PREFIX + "t-" + i, "{}");
			}
		}
		ExecutionContext context = new ExecutionContext();
		try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
				RedisTestServers.properties("", null, Duration.ofSeconds(5), 1000, 1, 0))) {
			ItemStreamReader<KeyInfo> reader = maintenance(store).keyReaders("keys", KeyDetail.TYPE).get(0);
			reader.open(context);
			KeyInfo first = reader.read();

			// when: the service deletes the rest while the page is in progress
			try (Jedis jedis = RedisTestServers.jedis(server)) {
				for (int i = 1; i <= 5; i++) {
					if (!(PREFIX + "t-" + i).equals(first.key())) {
						jedis.del(PREFIX + "t-" + i);
					}
				}
			}
			KeyInfo next = reader.read();
			reader.update(context);
			reader.close();

			// then
			assertThat(next).isNull();
			assertThat(context.getLong("keys.read")).isEqualTo(1);
			assertThat(context.getLong("keys.vanished")).isEqualTo(4);
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldFillCapAndNeverLengthenExpiries(Version version) {
		// given: a fill expiry before the maximum, which needs the script on every version
		RedisServerProcess server = servers.fresh(version);
		long now = System.currentTimeMillis();
		long fill = now + DAY;
		long max = now + 2 * DAY;
		long shortExpiry = now + HOUR;
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.set(PREFIX + "missing", "{}");
			jedis.set(PREFIX + "long", "{}", SetParams.setParams().pxAt(now + 10 * DAY));
			jedis.set(PREFIX + "short", "{}", SetParams.setParams().pxAt(shortExpiry));
		}
		List<TtlChange> changes = List.of(change("missing", fill, max), change("long", fill, max),
				change("short", fill, max), change("gone", fill, max));

		try (RedisWorkflowStore store = store(server, 1000, 1000)) {
			MaintainableStore maintenance = maintenance(store);

			// when
			List<TtlOutcome> first = maintenance.enforceTtl(changes);
			List<TtlOutcome> second = maintenance.enforceTtl(changes);

			// then
			assertThat(first).containsExactly(TtlOutcome.FIXED_MISSING, TtlOutcome.CAPPED, TtlOutcome.UNTOUCHED,
					TtlOutcome.CHANGED_OR_GONE);
			assertThat(second).containsExactly(TtlOutcome.UNTOUCHED, TtlOutcome.UNTOUCHED, TtlOutcome.UNTOUCHED,
					TtlOutcome.CHANGED_OR_GONE);
		}
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			assertExpiry(version, expireAt(jedis, "missing"), fill);
			assertExpiry(version, expireAt(jedis, "long"), max);
			assertExpiry(version, expireAt(jedis, "short"), shortExpiry);
			assertThat(jedis.exists(PREFIX + "gone")).isFalse();
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldFillAndCapToTheMaximumWhenBothAreTheSame(Version version) {
		// given: fill == max without an expected value, one PEXPIREAT … LT per key on Redis 7
		RedisServerProcess server = servers.fresh(version);
		long now = System.currentTimeMillis();
		long max = now + DAY;
		long shortExpiry = now + HOUR;
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.set(PREFIX + "missing", "{}");
			jedis.set(PREFIX + "long", "{}", SetParams.setParams().pxAt(now + 10 * DAY));
			jedis.set(PREFIX + "short", "{}", SetParams.setParams().pxAt(shortExpiry));
			jedis.hset(PREFIX + "hash", "status", "running");
			jedis.configResetStat();
		}
		List<TtlChange> changes = List.of(change("missing", max, max), change("long", max, max),
				change("short", max, max), change("gone", max, max), change("hash", max, max));

		try (RedisWorkflowStore store = store(server, 1000, 2)) {
			MaintainableStore maintenance = maintenance(store);

			// when
			List<TtlOutcome> first = maintenance.enforceTtl(changes);
			List<TtlOutcome> second = maintenance.enforceTtl(changes);

			// then
			assertThat(first).containsExactly(TtlOutcome.FIXED_MISSING, TtlOutcome.CAPPED, TtlOutcome.UNTOUCHED,
					TtlOutcome.CHANGED_OR_GONE, TtlOutcome.FIXED_MISSING);
			assertThat(second).containsExactly(TtlOutcome.UNTOUCHED, TtlOutcome.UNTOUCHED, TtlOutcome.UNTOUCHED,
					TtlOutcome.CHANGED_OR_GONE, TtlOutcome.UNTOUCHED);
		}
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			assertExpiry(version, expireAt(jedis, "missing"), max);
			assertExpiry(version, expireAt(jedis, "long"), max);
			assertExpiry(version, expireAt(jedis, "short"), shortExpiry);
			assertExpiry(version, expireAt(jedis, "hash"), max);
			assertThat(jedis.exists(PREFIX + "gone")).isFalse();
			String commands = jedis.info("commandstats");
			if (version == Version.DEFAULT) {
				assertThat(commands).contains("cmdstat_pexpireat:calls=10").doesNotContain("cmdstat_evalsha");
			}
			else {
				// the first batch of two finds no script cached; every later one runs it by its SHA
				assertThat(commands).contains("cmdstat_evalsha:calls=10", "cmdstat_eval:calls=2");
			}
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldChangeTtlOnlyWhileTheValueIsTheJudgedOne(Version version) {
		// given: values judged, then one key rewritten by the service
		RedisServerProcess server = servers.fresh(version);
		long now = System.currentTimeMillis();
		long max = now + DAY;
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.set(PREFIX + "same-missing", "{\"v\":1}");
			jedis.set(PREFIX + "same-long", "{\"v\":1}", SetParams.setParams().pxAt(now + 10 * DAY));
			jedis.set(PREFIX + "rewritten", "{\"v\":2}");
			jedis.hset(PREFIX + "now-a-hash", "v", "1");
		}
		byte[] judged = bytes("{\"v\":1}");
		List<TtlChange> changes = List.of(new TtlChange(PREFIX + "same-missing", max, max, judged),
				new TtlChange(PREFIX + "same-long", max, max, judged), new TtlChange(PREFIX + "rewritten", max, max, judged),
				new TtlChange(PREFIX + "now-a-hash", max, max, judged), new TtlChange(PREFIX + "gone", max, max, judged));

		// when
		List<TtlOutcome> outcomes;
		try (RedisWorkflowStore store = store(server, 1000, 1000)) {
			outcomes = maintenance(store).enforceTtl(changes);
		}

		// then
		assertThat(outcomes).containsExactly(TtlOutcome.FIXED_MISSING, TtlOutcome.CAPPED, TtlOutcome.CHANGED_OR_GONE,
				TtlOutcome.CHANGED_OR_GONE, TtlOutcome.CHANGED_OR_GONE);
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			assertExpiry(version, expireAt(jedis, "same-missing"), max);
			assertExpiry(version, expireAt(jedis, "same-long"), max);
			assertThat(jedis.pttl(PREFIX + "rewritten")).isEqualTo(-1);
			assertThat(jedis.pttl(PREFIX + "now-a-hash")).isEqualTo(-1);
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldDeleteOnlyKeysStillHoldingTheJudgedValue(Version version) {
		// given: three states judged stale, then one rewritten and one deleted by the service
		RedisServerProcess server = servers.fresh(version);
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.set(PREFIX + "stale", "{\"v\":1}");
			jedis.set(PREFIX + "rewritten", "{\"v\":1}");
			jedis.set(PREFIX + "deleted", "{\"v\":1}");
			jedis.hset(PREFIX + "hash", "v", "1");
		}
		byte[] judged = bytes("{\"v\":1}");
		List<KeyValue> toDelete = List.of(new KeyValue(PREFIX + "stale", judged), new KeyValue(PREFIX + "rewritten", judged),
				new KeyValue(PREFIX + "deleted", judged), new KeyValue(PREFIX + "hash", judged));
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.set(PREFIX + "rewritten", "{\"v\":2}");
			jedis.del(PREFIX + "deleted");
		}

		// when
		List<Boolean> deleted;
		try (RedisWorkflowStore store = store(server, 1000, 3)) {
			deleted = maintenance(store).deleteIfUnchanged(toDelete);
		}

		// then
		assertThat(deleted).containsExactly(true, false, false, false);
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			assertThat(jedis.exists(PREFIX + "stale")).isFalse();
			assertThat(jedis.get(PREFIX + "rewritten")).isEqualTo("{\"v\":2}");
			assertThat(jedis.hget(PREFIX + "hash", "v")).isEqualTo("1");
		}
	}

	@Test
	void shouldRunScriptsAgainWhenTheServerLostThem() {
		// given
		RedisServerProcess server = servers.fresh(Version.DEFAULT);
		long max = System.currentTimeMillis() + DAY;
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.set(PREFIX + "missing", "{}");
			jedis.set(PREFIX + "stale", "{}");
		}
		try (RedisWorkflowStore store = store(server, 1000, 1000)) {
			MaintainableStore maintenance = maintenance(store);
			try (Jedis jedis = RedisTestServers.jedis(server)) {
				jedis.scriptFlush();
			}

			// when
			List<TtlOutcome> outcomes = maintenance
				.enforceTtl(List.of(new TtlChange(PREFIX + "missing", max - HOUR, max, null)));
			List<Boolean> deleted = maintenance.deleteIfUnchanged(List.of(new KeyValue(PREFIX + "stale", bytes("{}"))));

			// then
			assertThat(outcomes).containsExactly(TtlOutcome.FIXED_MISSING);
			assertThat(deleted).containsExactly(true);
		}
	}

	@Test
	void shouldRefuseKeysOutsideThePrefixAndFillsBeyondTheMaximum() {
		// given
		RedisServerProcess server = servers.fresh(Version.DEFAULT);
		long max = System.currentTimeMillis() + DAY;
		try (RedisWorkflowStore store = store(server, 1000, 1000)) {
			MaintainableStore maintenance = maintenance(store);

			// when / then
			assertThatIllegalArgumentException()
				.isThrownBy(() -> maintenance.enforceTtl(List.of(new TtlChange("session:1", max, max, null))));
			assertThatIllegalArgumentException()
				.isThrownBy(() -> maintenance.enforceTtl(List.of(new TtlChange(PREFIX + "t", max + 1, max, null))));
			assertThatIllegalArgumentException()
				.isThrownBy(() -> maintenance.deleteIfUnchanged(List.of(new KeyValue(PREFIX, bytes("{}")))));
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldReportTheServersOwnView(Version version) {
		// given
		RedisServerProcess server = servers.fresh(version);
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.set(PREFIX + "t-1", "{}");
			jedis.set("session:1", "{}");
			jedis.configSet("maxmemory-policy", "volatile-lru");
		}

		// when
		Map<String, Object> info;
		try (RedisWorkflowStore store = store(server, 1000, 1000)) {
			info = maintenance(store).serverInfo();
		}

		// then
		assertThat(info).containsKeys("redisVersion", "role", "usedMemory", "maxmemory", "maxmemoryPolicy",
				"fragmentationRatio", "expiredKeys", "evictedKeys", "dbKeys");
		assertThat((String) info.get("redisVersion")).startsWith((version == Version.V6_2) ? "6.2." : "7.");
		assertThat(info.get("role")).isEqualTo("master");
		assertThat((Long) info.get("usedMemory")).isPositive();
		assertThat(info.get("maxmemory")).isEqualTo(0L);
		assertThat(info.get("maxmemoryPolicy")).isEqualTo("volatile-lru");
		assertThat((Double) info.get("fragmentationRatio")).isPositive();
		assertThat((Long) info.get("expiredKeys")).isNotNegative();
		assertThat(info.get("evictedKeys")).isEqualTo(0L);
		assertThat(info.get("dbKeys")).isEqualTo(2L);
	}

	private static void assertExpiry(Version version, long actual, long expected) {
		// exact from PEXPIRETIME on Redis 7; now + PTTL on 6.2
		if (version == Version.DEFAULT) {
			assertThat(actual).isEqualTo(expected);
		}
		else {
			assertThat(actual).isCloseTo(expected, within(1_000L));
		}
	}

	/** The key's absolute expiry as Redis 7 reports it, or as now + PTTL on 6.2. */
	private static long expireAt(Jedis jedis, String threadId) {
		String key = PREFIX + threadId;
		if (jedis.info("server").contains("redis_version:7")) {
			return jedis.pexpireTime(key);
		}
		long pttl = jedis.pttl(key);
		return (pttl < 0) ? pttl : System.currentTimeMillis() + pttl;
	}

	private static TtlChange change(String threadId, long fill, long max) {
		return new TtlChange(PREFIX + threadId, fill, max, null);
	}

	private static List<KeyInfo> readAll(RedisServerProcess server, KeyDetail detail, int scanCount,
			int pipelineSize, ExecutionContext context) throws Exception {
		List<KeyInfo> keys = new ArrayList<>();
		try (RedisWorkflowStore store = store(server, scanCount, pipelineSize)) {
			List<ItemStreamReader<KeyInfo>> readers = maintenance(store).keyReaders("keys", detail);
			assertThat(readers).hasSize(1);
			ItemStreamReader<KeyInfo> reader = readers.get(0);
			reader.open(context);
			for (KeyInfo info = reader.read(); info != null; info = reader.read()) {
				keys.add(info);
			}
			reader.update(context);
			reader.close();
		}
		return keys;
	}

	private static MaintainableStore maintenance(RedisWorkflowStore store) {
		return store.maintenance().orElseThrow();
	}

	private static RedisWorkflowStore store(RedisServerProcess server, int scanCount, int pipelineSize) {
		return new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
				RedisTestServers.properties(scanCount, pipelineSize));
	}

	private static Map<String, KeyInfo> byKey(List<KeyInfo> keys) {
		return keys.stream().collect(Collectors.toMap(KeyInfo::key, Function.identity()));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
