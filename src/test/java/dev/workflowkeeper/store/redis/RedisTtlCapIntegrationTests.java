package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.SetParams;

import static dev.workflowkeeper.support.SampleStates.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The maximum TTL of {@code enforce-ttl} on real servers: right after
 * {@link RedisMaintenance#enforceTtl} no key has a {@code PTTL} above the maximum, by as
 * little as a millisecond, and no key below it was lengthened; on Redis 7 (one
 * {@code PEXPIRE … LT} or the script) and on 6.2 (the script).
 */
class RedisTtlCapIntegrationTests {

	private static final Duration MAX_TTL = Duration.ofSeconds(86_400);

	private static final long MAX = MAX_TTL.toMillis();

	private static final int PER_GROUP = 600;

	private static final String STATE = "{\"status\":\"processing\"}";

	@RegisterExtension
	static final RedisServerExtension servers = new RedisServerExtension();

	@ParameterizedTest(name = "{0}, value expected: {1}")
	@CsvSource({ "DEFAULT, false", "DEFAULT, true", "V6_2, false", "V6_2, true" })
	void shouldLeaveNoKeyAboveTheMaximumAndLengthenNone(Version version, boolean expectValue) {
		// given: keys without a TTL, far above the maximum, 300 ms and 900 ms above it,
		// and just below it;
		// the store warmed up first, so that the keys just above are still above when
		// their turn comes
		RedisDatabase server = servers.fresh(version);
		RedisWorkflowStore store = store(server);
		MaintainableStore maintenance = maintenance(store);
		maintenance.enforceTtl(List.of(TtlChange.withinTtl(PREFIX + "warm-up", TtlChange.UNBOUNDED, MAX_TTL, null)));
		Map<Group, List<String>> groups = new EnumMap<>(Group.class);
		long belowExpireAt;
		try (Jedis jedis = server.jedis()) {
			belowExpireAt = serverMillis(jedis) + MAX - 200;
			try (Pipeline pipeline = jedis.pipelined()) {
				for (Group group : Group.values()) {
					List<String> keys = new ArrayList<>(PER_GROUP);
					for (int i = 0; i < PER_GROUP; i++) {
						String key = PREFIX + group.name().toLowerCase() + "-" + i;
						keys.add(key);
						switch (group) {
							case MISSING -> pipeline.set(key, STATE);
							case FAR_ABOVE -> pipeline.set(key, STATE, SetParams.setParams().px(10 * MAX));
							case ABOVE_BY_300_MS -> pipeline.set(key, STATE, SetParams.setParams().px(MAX + 300));
							case ABOVE_BY_900_MS -> pipeline.set(key, STATE, SetParams.setParams().px(MAX + 900));
							case JUST_BELOW -> pipeline.set(key, STATE, SetParams.setParams().pxAt(belowExpireAt));
						}
					}
					groups.put(group, keys);
				}
				pipeline.sync();
			}
		}
		// as the writer builds them: the maximum itself as the fill, or (with an expected
		// value, as
		// from-age does) a fill before it, which takes the script on Redis 7 too
		long fillTtl = MAX / 2;
		long fill = expectValue ? System.currentTimeMillis() + fillTtl : TtlChange.UNBOUNDED;
		byte[] expected = expectValue ? STATE.getBytes(StandardCharsets.UTF_8) : null;
		List<TtlChange> changes = new ArrayList<>();
		for (List<String> keys : groups.values()) {
			for (String key : keys) {
				changes.add(TtlChange.withinTtl(key, fill, MAX_TTL, expected));
			}
		}

		// when
		List<TtlOutcome> outcomes = maintenance.enforceTtl(changes);
		Map<String, Long> pttls = pttls(server, changes);
		store.close();

		// then: right after the run, not one key above the maximum
		assertThat(pttls.values()).allSatisfy((pttl) -> assertThat(pttl).isPositive().isLessThanOrEqualTo(MAX));
		Map<Group, List<TtlOutcome>> outcomesByGroup = byGroup(groups, outcomes);
		assertThat(outcomesByGroup.get(Group.MISSING)).containsOnly(TtlOutcome.FIXED_MISSING);
		assertThat(outcomesByGroup.get(Group.FAR_ABOVE)).containsOnly(TtlOutcome.CAPPED);
		// how many of these were still above when their turn came depends on the
		// machine's speed
		assertThat(outcomesByGroup.get(Group.ABOVE_BY_300_MS)).isSubsetOf(TtlOutcome.CAPPED, TtlOutcome.UNTOUCHED);
		assertThat(outcomesByGroup.get(Group.ABOVE_BY_900_MS)).containsAnyOf(TtlOutcome.CAPPED)
			.isSubsetOf(TtlOutcome.CAPPED, TtlOutcome.UNTOUCHED);
		assertThat(outcomesByGroup.get(Group.JUST_BELOW)).containsOnly(TtlOutcome.UNTOUCHED);
		if (expectValue) {
			assertThat(groups.get(Group.MISSING))
				.allSatisfy((key) -> assertThat(pttls.get(key)).isLessThanOrEqualTo(fillTtl));
		}
		try (Jedis jedis = server.jedis()) {
			for (String key : groups.get(Group.JUST_BELOW)) {
				assertThat(expiryBounds(jedis, key)[0]).as(key).isLessThanOrEqualTo(belowExpireAt);
			}
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldCapAFillComputedOnAClockAheadOfTheServers(Version version) {
		// given: keys without a TTL, and fills from a worker whose clock is 5 s ahead of
		// the server's,
		// a millisecond short of its own idea of the maximum
		RedisDatabase server = servers.fresh(version);
		List<TtlChange> changes = new ArrayList<>();
		try (Jedis jedis = server.jedis(); Pipeline pipeline = jedis.pipelined()) {
			long aheadNow = serverMillis(jedis) + 5_000;
			for (int i = 0; i < 2_000; i++) {
				String key = PREFIX + "missing-" + i;
				pipeline.set(key, STATE);
				changes.add(TtlChange.withinTtl(key, aheadNow + MAX - 1, MAX_TTL, null));
			}
			pipeline.sync();
		}

		// when
		List<TtlOutcome> outcomes;
		try (RedisWorkflowStore store = store(server)) {
			outcomes = maintenance(store).enforceTtl(changes);
		}
		Map<String, Long> pttls = pttls(server, changes);

		// then
		assertThat(outcomes).hasSize(2_000).containsOnly(TtlOutcome.FIXED_MISSING);
		assertThat(pttls.values()).allSatisfy((pttl) -> assertThat(pttl).isPositive().isLessThanOrEqualTo(MAX));
	}

	@ParameterizedTest(name = "{0}, value expected: {1}")
	@CsvSource({ "DEFAULT, false", "DEFAULT, true", "V6_2, false", "V6_2, true" })
	void shouldKeepTheTtlTheServiceGaveAfterTheKeyWasJudged(Version version, boolean expectValue) {
		// given: keys judged far above the maximum, then refreshed by the service (SET …
		// EX 86400)
		RedisDatabase server = servers.fresh(version);
		List<TtlChange> changes = new ArrayList<>();
		Map<String, long[]> refreshedAt = new LinkedHashMap<>();
		try (Jedis jedis = server.jedis()) {
			for (int i = 0; i < 200; i++) {
				String key = PREFIX + "refreshed-" + i;
				jedis.set(key, STATE, SetParams.setParams().px(10 * MAX));
				changes.add(TtlChange.withinTtl(key, TtlChange.UNBOUNDED, MAX_TTL,
						expectValue ? STATE.getBytes(StandardCharsets.UTF_8) : null));
			}
			sleep(50);
			for (TtlChange change : changes) {
				jedis.set(change.key(), STATE, SetParams.setParams().ex(MAX_TTL.toSeconds()));
				refreshedAt.put(change.key(), expiryBounds(jedis, change.key()));
			}
		}

		// when
		List<TtlOutcome> outcomes;
		try (RedisWorkflowStore store = store(server)) {
			outcomes = maintenance(store).enforceTtl(changes);
		}

		// then: the service's expiry, neither shortened nor lengthened
		assertThat(outcomes).containsOnly(TtlOutcome.UNTOUCHED);
		try (Jedis jedis = server.jedis()) {
			for (Map.Entry<String, long[]> refreshed : refreshedAt.entrySet()) {
				// exact on Redis 7; on 6.2 the bounds of now and then overlap
				long[] now = expiryBounds(jedis, refreshed.getKey());
				assertThat(now[0]).as(refreshed.getKey()).isLessThanOrEqualTo(refreshed.getValue()[1]);
				assertThat(now[1]).as(refreshed.getKey()).isGreaterThanOrEqualTo(refreshed.getValue()[0]);
			}
		}
	}

	private enum Group {

		MISSING, FAR_ABOVE, ABOVE_BY_300_MS, ABOVE_BY_900_MS, JUST_BELOW

	}

	private static Map<Group, List<TtlOutcome>> byGroup(Map<Group, List<String>> groups, List<TtlOutcome> outcomes) {
		Map<Group, List<TtlOutcome>> byGroup = new EnumMap<>(Group.class);
		int index = 0;
		for (Map.Entry<Group, List<String>> group : groups.entrySet()) {
			byGroup.put(group.getKey(), outcomes.subList(index, index + group.getValue().size()));
			index += group.getValue().size();
		}
		return byGroup;
	}

	/** Every key's {@code PTTL}, in one pipeline. */
	private static Map<String, Long> pttls(RedisDatabase server, List<TtlChange> changes) {
		Map<String, Response<Long>> replies = new LinkedHashMap<>();
		try (Jedis jedis = server.jedis(); Pipeline pipeline = jedis.pipelined()) {
			for (TtlChange change : changes) {
				replies.put(change.key(), pipeline.pttl(change.key()));
			}
			pipeline.sync();
		}
		Map<String, Long> pttls = new LinkedHashMap<>();
		replies.forEach((key, reply) -> pttls.put(key, reply.get()));
		return pttls;
	}

	/** The server's clock, in epoch millis. */
	private static long serverMillis(Jedis jedis) {
		List<String> time = jedis.time();
		return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
	}

	/**
	 * The earliest and latest the key's absolute expiry can be: exact on Redis 7
	 * ({@code PEXPIRETIME}), the server's clock before and after its {@code PTTL} on 6.2.
	 */
	private static long[] expiryBounds(Jedis jedis, String key) {
		if (jedis.info("server").contains("redis_version:7")) {
			long exact = jedis.pexpireTime(key);
			return new long[] { exact, exact };
		}
		Object reply = jedis.eval("""
				local function now()
				  local t = redis.call('TIME')
				  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
				end
				local before = now()
				local pttl = redis.call('PTTL', KEYS[1])
				local after = now()
				return { before + pttl, after + pttl }
				""", List.of(key), List.of());
		List<?> bounds = (List<?>) reply;
		return new long[] { (Long) bounds.get(0), (Long) bounds.get(1) };
	}

	private static MaintainableStore maintenance(RedisWorkflowStore store) {
		return store.maintenance().orElseThrow();
	}

	private static RedisWorkflowStore store(RedisDatabase server) {
		// batches of 500 keys: several round trips, as in a real chunk
		return new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
				WorkerSettings.defaults().withRedisPaging(1000, 500, 2).keeperProperties().redis());
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
