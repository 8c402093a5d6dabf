package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeyValue;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
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
	void shouldReadExactExpiriesOnRedis7AndNoLaterOnesBefore(Version version) throws Exception {
		// given
		RedisDatabase server = servers.fresh(version);
		long expireAt = System.currentTimeMillis() + HOUR;
		try (Jedis jedis = server.jedis()) {
			jedis.set(PREFIX + "t-1", "{}", SetParams.setParams().pxAt(expireAt));
		}

		// when
		List<KeyInfo> keys;
		try (RedisWorkflowStore store = store(server, 1000, 1000)) {
			ItemStreamReader<KeyInfo> reader = maintenance(store).keyReaders("keys", KeyDetail.SIZE_AND_TTL).get(0);
			reader.open(new ExecutionContext());
			keys = List.of(reader.read());
			reader.close();
		}

		// then: PEXPIRETIME on Redis 7; on 6.2 now + PTTL, which a round trip makes
		// earlier, never later
		if (server.isRedis7()) {
			assertThat(keys.get(0).expireAtMillis()).isEqualTo(expireAt);
		}
		else {
			assertThat(keys.get(0).expireAtMillis()).isBetween(expireAt - 1_000, expireAt);
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

	private static MaintainableStore maintenance(RedisWorkflowStore store) {
		return store.maintenance().orElseThrow();
	}

	private static RedisWorkflowStore store(RedisDatabase server, int scanCount, int pipelineSize) {
		return new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
				WorkerSettings.defaults().withRedisPaging(scanCount, pipelineSize, 2).keeperProperties());
	}

	private static TtlChange change(String threadId, long max) {
		return new TtlChange(PREFIX + threadId, max, max, null);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
