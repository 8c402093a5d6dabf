package dev.workflowkeeper.ttl;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.redis.RedisKeyReaders;
import dev.workflowkeeper.store.redis.RedisWorkflowStore;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.SetParams;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static dev.workflowkeeper.support.SampleStates.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The key reader, the judge and the writer of {@code enforce-ttl} on real servers, on a
 * worker whose clock runs 5 s ahead of the server's: the reader reports expiries on the
 * worker's clock, so that a key a second above the maximum is still judged to need
 * capping, and capped (to its place in the spread below the maximum, counted on the
 * server's clock). On Redis 7 ({@code PEXPIRETIME} and {@code TIME}) and on 6.2
 * ({@code PTTL}).
 */
class TtlClockSkewIntegrationTests {

	private static final Duration MAX_TTL = Duration.ofDays(1);

	private static final long MAX = MAX_TTL.toMillis();

	private static final Duration SPREAD = Duration.ofHours(1);

	private static final int PER_GROUP = 200;

	private static final int CHUNK = 100;

	private static final String STATE = "{\"status\":\"processing\"}";

	@RegisterExtension
	static final RedisServerExtension servers = new RedisServerExtension();

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldCapKeysAboveTheMaximumWhenTheWorkersClockRunsAheadOfTheServers(Version version) throws Exception {
		// given: keys 1, 2 and 3 s above the maximum and 3 s below it, and a worker 5 s
		// ahead of the server, connected before the keys are written so that a second
		// is far more than their reading takes
		RedisDatabase server = servers.fresh(version);
		Clock ahead = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(5));
		StepCounters counters = new StepCounters("ttl", "checked", "fixedMissing", "capped", "untouched",
				"changedOrGone", "otherTypes");
		TtlJudge judge = new TtlJudge(MAX_TTL, ahead, counters);
		Set<String> above = new HashSet<>();
		Set<String> below = new HashSet<>();
		Set<String> passed = new HashSet<>();
		try (RedisKeyReaders readers = RedisKeyReaders.connect(server.uri(), settings());
				RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
						settings().redis())) {
			TtlItemWriter writer = new TtlItemWriter(store.maintenance().orElseThrow(), MAX_TTL, SPREAD, MAX_TTL, false,
					false, ahead, counters);
			ItemStreamReader<KeyInfo> reader = readers.reader("keys", PREFIX, KeyDetail.TYPE, ahead);
			try (Jedis jedis = server.jedis(); Pipeline pipeline = jedis.pipelined()) {
				for (int i = 0; i < PER_GROUP; i++) {
					for (int seconds = 1; seconds <= 3; seconds++) {
						String key = PREFIX + "above-" + seconds + "s-" + i;
						pipeline.set(key, STATE, SetParams.setParams().px(MAX + seconds * 1_000));
						above.add(key);
					}
					String key = PREFIX + "below-3s-" + i;
					pipeline.set(key, STATE, SetParams.setParams().px(MAX - 3_000));
					below.add(key);
				}
				pipeline.sync();
			}

			// when: read, judged and written in chunks, as the step does
			reader.open(new ExecutionContext());
			Chunk<KeyInfo> chunk = new Chunk<>();
			for (KeyInfo key = reader.read(); key != null; key = reader.read()) {
				KeyInfo judged = judge.process(key);
				if (judged != null) {
					passed.add(judged.key());
					chunk.add(judged);
				}
				if (chunk.size() == CHUNK) {
					writer.write(chunk);
					chunk = new Chunk<>();
				}
			}
			writer.write(chunk);
			reader.close();
		}
		Map<String, Long> pttls = pttls(server, above, below);

		// then: every key above the maximum judged and capped, none below it touched
		assertThat(passed).isEqualTo(above);
		assertThat(counters.get("checked")).isEqualTo(4 * PER_GROUP);
		assertThat(counters.get("capped")).isEqualTo(3 * PER_GROUP);
		assertThat(counters.get("untouched")).isEqualTo(PER_GROUP);
		assertThat(pttls.values()).allSatisfy((pttl) -> assertThat(pttl).isPositive().isLessThanOrEqualTo(MAX));
		// capped to their places in the spread below the maximum, on the server's clock
		assertThat(above).allSatisfy((key) -> assertThat(pttls.get(key)).isBetween(MAX - SPREAD.toMillis() - 60_000,
				MAX - new ExpirySpread(SPREAD).offsetMillis(key)));
		assertThat(below).allSatisfy((key) -> assertThat(pttls.get(key)).isLessThanOrEqualTo(MAX - 3_000));
	}

	/** Every key's {@code PTTL}, in one pipeline. */
	private static Map<String, Long> pttls(RedisDatabase server, Set<String> above, Set<String> below) {
		List<String> keys = new ArrayList<>(above);
		keys.addAll(below);
		Map<String, Response<Long>> replies = new LinkedHashMap<>();
		try (Jedis jedis = server.jedis(); Pipeline pipeline = jedis.pipelined()) {
			for (String key : keys) {
				replies.put(key, pipeline.pttl(key));
			}
			pipeline.sync();
		}
		Map<String, Long> pttls = new LinkedHashMap<>();
		replies.forEach((key, reply) -> pttls.put(key, reply.get()));
		return pttls;
	}

	private static KeeperProperties settings() {
		// pages of 1000 keys in pipelines of 250, two of them in flight, as a worker
		// reads
		return WorkerSettings.defaults().withRedisPaging(1000, 250, 2).keeperProperties();
	}

}
