package dev.workflowkeeper.store.redis;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeySample;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import org.springframework.batch.infrastructure.item.ExecutionContext;

import static dev.workflowkeeper.support.SampleStates.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A sampled key scan ({@link RedisScanItemReader#sample}): it ends after the page that
 * takes the share of the hash table its cursor visited, or the keys read, to the
 * sample's; every key carries its page; the share visited is kept with the position, and
 * a scan resumed from a checkpoint ends where the one run whole ends.
 */
class RedisKeySampleIntegrationTests {

	private static final int KEYS = 20_000;

	private static final int SCAN_COUNT = 100;

	@RegisterExtension
	static final RedisServerExtension servers = new RedisServerExtension();

	@ParameterizedTest
	@ValueSource(ints = { 0, 2 })
	void shouldEndAfterThePageThatReachesTheShareAndTagEveryKey(int pipelinesInFlight) {
		// given
		RedisDatabase server = write(servers.fresh(Version.DEFAULT));

		// when
		ExecutionContext context = new ExecutionContext();
		List<KeyInfo> keys = read(server, pipelinesInFlight, new KeySample(0.25, Long.MAX_VALUE), context, -1);

		// then: about a quarter of the keys, each tagged with its page, pages in order
		assertThat(keys).hasSizeBetween(KEYS / 5, KEYS * 3 / 10);
		double start = -1;
		for (KeyInfo key : keys) {
			assertThat(key.page()).isNotNull();
			assertThat(key.page().start()).isGreaterThanOrEqualTo(start).isLessThan(key.page().end());
			start = key.page().start();
		}
		KeyInfo last = keys.get(keys.size() - 1);
		assertThat(last.page().start()).isLessThan(0.25);
		assertThat(last.page().end()).isGreaterThanOrEqualTo(0.25).isLessThan(0.3);
		assertThat(context.getDouble("keys.visited")).isEqualTo(last.page().end());
	}

	@Test
	void shouldEndAfterThePageThatReachesTheKeys() {
		RedisDatabase server = write(servers.fresh(Version.DEFAULT));

		List<KeyInfo> keys = read(server, 2, new KeySample(1.0, 3_000), new ExecutionContext(), -1);

		assertThat(keys).hasSizeBetween(3_000, 3_000 + 3 * SCAN_COUNT);
	}

	@Test
	void shouldReadTheWholeKeyspaceUntaggedWithoutASample() {
		RedisDatabase server = write(servers.fresh(Version.DEFAULT));
		ExecutionContext context = new ExecutionContext();

		List<KeyInfo> keys = read(server, 2, null, context, -1);

		assertThat(keys).hasSize(KEYS).allSatisfy((key) -> assertThat(key.page()).isNull());
		assertThat(context.getDouble("keys.visited")).isEqualTo(1.0);
	}

	@Test
	void shouldResumeASampleWithTheShareItVisited() {
		// given: the keys and share a sample reads in one run
		RedisDatabase server = write(servers.fresh(Version.DEFAULT));
		KeySample sample = new KeySample(0.3, Long.MAX_VALUE);
		ExecutionContext whole = new ExecutionContext();
		Set<String> once = threadIds(read(server, 2, sample, whole, -1));

		// when: the same sample stopped inside a page, checkpointed and resumed
		ExecutionContext context = new ExecutionContext();
		List<KeyInfo> before = read(server, 2, sample, context, 1_234);
		double visitedAtCheckpoint = context.getDouble("keys.visited");
		List<KeyInfo> after = read(server, 2, sample, context, -1);

		// then
		assertThat(visitedAtCheckpoint).isEqualTo(before.get(before.size() - 1).page().end()).isLessThan(0.3);
		Set<String> resumed = threadIds(before);
		resumed.addAll(threadIds(after));
		assertThat(before.size() + after.size()).isEqualTo(once.size());
		assertThat(resumed).isEqualTo(once);
		assertThat(context.getDouble("keys.visited")).isEqualTo(whole.getDouble("keys.visited"));
	}

	private static RedisDatabase write(RedisDatabase server) {
		try (Jedis jedis = server.jedis(); Pipeline pipeline = jedis.pipelined()) {
			for (int i = 0; i < KEYS; i++) {
				pipeline.set(PREFIX + "thread-" + i, "{\"n\":" + i + "}");
			}
			for (int i = 0; i < KEYS / 4; i++) {
				pipeline.set("session:" + i, "{}");
			}
		}
		return server;
	}

	/**
	 * Reads {@code limit} keys ({@code -1}: all) from the position in {@code context},
	 * and leaves the position there.
	 */
	private static List<KeyInfo> read(RedisDatabase server, int pipelinesInFlight, KeySample sample,
			ExecutionContext context, int limit) {
		KeeperProperties.Redis settings = WorkerSettings.defaults()
			.withRedisPaging(SCAN_COUNT, SCAN_COUNT, pipelinesInFlight)
			.keeperProperties()
			.redis();
		StoreUri address = StoreUri.parse(server.uri());
		List<KeyInfo> keys = new ArrayList<>();
		try (RedisNode node = RedisNode.connect(RedisEndpoint.of(address, settings), address.masked(), settings)) {
			RedisKeyInfoItemReader reader = new RedisKeyInfoItemReader("keys", node, PREFIX, SCAN_COUNT, SCAN_COUNT,
					pipelinesInFlight, KeyDetail.SIZE_AND_TTL);
			if (sample != null) {
				reader.sample(sample);
			}
			reader.open(context);
			while (limit < 0 || keys.size() < limit) {
				KeyInfo key = reader.read();
				if (key == null) {
					break;
				}
				keys.add(key);
			}
			reader.update(context);
			reader.close();
		}
		return keys;
	}

	private static Set<String> threadIds(List<KeyInfo> keys) {
		Set<String> threadIds = new HashSet<>();
		keys.forEach((key) -> threadIds.add(key.threadId()));
		return threadIds;
	}

}
