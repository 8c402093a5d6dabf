package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeyValue;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static dev.workflowkeeper.support.SampleStates.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link RedisMaintenance} does that is its own: which commands it sends on each
 * version, its scripts cached again after the server lost them, the server's
 * {@code INFO}. What every maintainable store does is
 * {@link RedisMaintainableStoreContractIntegrationTests}.
 */
class RedisMaintenanceIntegrationTests {

	private static final long HOUR = 3_600_000;

	private static final long DAY = 24 * HOUR;

	@RegisterExtension
	static final RedisServerExtension servers = new RedisServerExtension();

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldReadExpiriesOnTheWorkersClockWithOneTimePerPipelineOnRedis7(Version version) throws Exception {
		// given: ten keys, read in pipelines of four by a worker whose clock is 5 s ahead
		// of the server's
		RedisDatabase server = servers.fresh(version);
		long expireAt;
		try (Jedis jedis = server.jedis()) {
			expireAt = serverMillis(jedis) + HOUR;
			for (int i = 0; i < 10; i++) {
				jedis.set(PREFIX + "t-" + i, "{}", SetParams.setParams().pxAt(expireAt));
			}
			// the whole shared server's statistics: counted from here, while this class
			// is the one running
			jedis.configResetStat();
		}
		Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(5));

		// when
		List<KeyInfo> keys = new ArrayList<>();
		try (RedisKeyReaders readers = RedisKeyReaders.connect(server.uri(),
				WorkerSettings.defaults().withRedisPaging(1000, 4, 2).keeperProperties())) {
			ItemStreamReader<KeyInfo> reader = readers.reader("keys", PREFIX, KeyDetail.SIZE_AND_TTL, ahead);
			reader.open(new ExecutionContext());
			for (KeyInfo key = reader.read(); key != null; key = reader.read()) {
				keys.add(key);
			}
			reader.close();
		}

		// then: the expiry on the worker's clock, a round trip earlier at most, never
		// later; on Redis 7 PEXPIRETIME and one TIME per pipeline, on 6.2 PTTL alone
		assertThat(keys).hasSize(10)
			.allSatisfy(
					(key) -> assertThat(key.expireAtMillis()).isBetween(expireAt + 5_000 - 1_000, expireAt + 5_000));
		try (Jedis jedis = server.jedis()) {
			String commands = jedis.info("commandstats");
			if (server.isRedis7()) {
				assertThat(commands).contains("cmdstat_time:calls=3,", "cmdstat_pexpiretime:calls=10,")
					.doesNotContain("cmdstat_pttl");
			}
			else {
				assertThat(commands).contains("cmdstat_pttl:calls=10,").doesNotContain("cmdstat_time");
			}
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldFillAndCapWithOneCommandPerKeyOnRedis7AndTheScriptBefore(Version version) {
		// given: fill == max without an expected value, one PEXPIREAT … LT per key on
		// Redis 7
		RedisDatabase server = servers.fresh(version);
		long max = System.currentTimeMillis() + DAY;
		try (Jedis jedis = server.jedis()) {
			jedis.set(PREFIX + "missing", "{}");
			jedis.set(PREFIX + "long", "{}", SetParams.setParams().px(10 * DAY));
			jedis.set(PREFIX + "short", "{}", SetParams.setParams().px(HOUR));
			jedis.hset(PREFIX + "hash", "status", "running");
			// statistics and script cache are the whole shared server's: counted from
			// here, while this
			// class is the one running
			jedis.scriptFlush();
			jedis.configResetStat();
		}
		List<TtlChange> changes = List.of(change("missing", max), change("long", max), change("short", max),
				change("gone", max), change("hash", max));

		// when
		try (RedisWorkflowStore store = store(server, 1000, 2)) {
			MaintainableStore maintenance = maintenance(store);
			maintenance.enforceTtl(changes);
			maintenance.enforceTtl(changes);
		}

		// then
		try (Jedis jedis = server.jedis()) {
			String commands = jedis.info("commandstats");
			if (server.isRedis7()) {
				assertThat(commands).contains("cmdstat_pexpireat:calls=10").doesNotContain("cmdstat_evalsha");
			}
			else {
				// the first batch of two finds no script cached; every later one runs it
				// by its SHA
				assertThat(commands).contains("cmdstat_evalsha:calls=10", "cmdstat_eval:calls=2");
			}
		}
	}

	@Test
	void shouldRunScriptsAgainWhenTheServerLostThem() {
		// given
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		long max = System.currentTimeMillis() + DAY;
		try (Jedis jedis = server.jedis()) {
			jedis.set(PREFIX + "missing", "{}");
			jedis.set(PREFIX + "stale", "{}");
		}
		try (RedisWorkflowStore store = store(server, 1000, 1000)) {
			MaintainableStore maintenance = maintenance(store);
			try (Jedis jedis = server.jedis()) {
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

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldReportTheServersOwnView(Version version) {
		// given: a state and a key of another prefix
		RedisDatabase server = servers.fresh(version);
		String policy;
		try (Jedis jedis = server.jedis()) {
			jedis.set(PREFIX + "t-1", "{}");
			jedis.set("session:1", "{}");
			policy = jedis.configGet("maxmemory-policy").get("maxmemory-policy");
		}

		// when
		Map<String, Object> info;
		try (RedisWorkflowStore store = store(server, 1000, 1000)) {
			info = maintenance(store).serverInfo();
		}

		// then
		assertThat(info).containsKeys("redisVersion", "role", "usedMemory", "maxmemory", "maxmemoryPolicy",
				"fragmentationRatio", "expiredKeys", "evictedKeys", "dbKeys");
		assertThat(info.get("redisVersion")).isEqualTo(server.version());
		assertThat(info.get("role")).isEqualTo("master");
		assertThat((Long) info.get("usedMemory")).isPositive();
		assertThat(info.get("maxmemory")).isEqualTo(0L);
		assertThat(info.get("maxmemoryPolicy")).isEqualTo(policy);
		assertThat((Double) info.get("fragmentationRatio")).isPositive();
		assertThat(info.get("evictedKeys")).isEqualTo(0L);
		assertThat(info.get("dbKeys")).isEqualTo(2L);
	}

	/** The server's clock, in epoch millis. */
	private static long serverMillis(Jedis jedis) {
		List<String> time = jedis.time();
		return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
	}

	private static MaintainableStore maintenance(RedisWorkflowStore store) {
		return store.maintenance().orElseThrow();
	}

	private static RedisWorkflowStore store(RedisDatabase server, int scanCount, int pipelineSize) {
		return new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
				WorkerSettings.defaults().withRedisPaging(scanCount, pipelineSize, 2).keeperProperties().redis());
	}

	private static TtlChange change(String threadId, long max) {
		return new TtlChange(PREFIX + threadId, max, max, null);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
