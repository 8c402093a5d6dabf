package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeyValue;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.support.RedisClusterProcess;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.SampleStates;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.util.JedisClusterCRC16;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A store opened on a Redis Cluster before a resharding it did not see: the per-key
 * operations follow the {@code MOVED} replies key by key to the new owner, with exact
 * results in the caller's order; a scan of the master that gave slots away stops, and
 * starts over when resumed.
 */
class RedisClusterReshardIntegrationTests {

	private static final String P = SampleStates.PREFIX;

	private static final KeeperProperties.Redis SETTINGS = WorkerSettings.defaults().keeperProperties().redis();

	private static RedisClusterProcess cluster;

	@BeforeAll
	static void start() {
		cluster = RedisClusterProcess.start(Version.DEFAULT, 3, false);
	}

	@BeforeEach
	void flush() {
		for (int i = 0; i < 3; i++) {
			try (Jedis jedis = new Jedis("127.0.0.1", cluster.master(i).port())) {
				jedis.flushAll();
			}
		}
	}

	@AfterAll
	static void stop() {
		if (cluster != null) {
			cluster.close();
		}
	}

	@Test
	void shouldFollowMovedRepliesKeyByKeyAfterAReshardingTheStoreDidNotSee() throws Exception {
		// given: 200 states, a store that knows the slots, then slots 0-2999 move
		Map<String, String> states = SampleStates.states(200);
		try (JedisCluster client = cluster.client()) {
			states.forEach((id, state) -> client.setex(P + id, 3_600, state));
			client.set(P + "nottl", SampleStates.state("nottl", "processing", 60));
		}
		List<String> moved = states.keySet()
			.stream()
			.map((id) -> P + id)
			.filter((key) -> JedisClusterCRC16.getSlot(key) < 3_000)
			.toList();
		assertThat(moved).isNotEmpty();
		try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(cluster.uri()), P, SETTINGS);
				JedisCluster client = cluster.client()) {
			MaintainableStore maintenance = store.maintenance().orElseThrow();
			cluster.moveSlots(0, 1, 0, 2_999);

			// when
			List<String> keys = new ArrayList<>(states.keySet().stream().map((id) -> P + id).toList());
			keys.add(P + "missing");
			List<Boolean> exist = maintenance.exist(keys);
			List<KeyValue> judged = new ArrayList<>();
			for (String key : moved) {
				judged.add(new KeyValue(key, client.get(key).getBytes(StandardCharsets.UTF_8)));
			}
			String changed = keys.stream().filter((key) -> !moved.contains(key)).findFirst().orElseThrow();
			judged.add(new KeyValue(changed, "not what it holds".getBytes(StandardCharsets.UTF_8)));
			List<Boolean> deleted = maintenance.deleteIfUnchanged(judged);
			List<TtlOutcome> ttl = maintenance
				.enforceTtl(List.of(TtlChange.withinTtl(P + "nottl", TtlChange.UNBOUNDED, Duration.ofHours(1), null)));
			WorkflowItemWriter writer = store.writer("target", ConflictPolicy.SKIP);
			writer.open(new ExecutionContext());
			List<WorkflowEntry> written = new ArrayList<>();
			for (int i = 0; i < 100; i++) {
				written.add(new WorkflowEntry("new" + i,
						SampleStates.state("new" + i, "pending", 0).getBytes(StandardCharsets.UTF_8),
						System.currentTimeMillis() + 3_600_000));
			}
			writer.write(new Chunk<>(written));
			writer.close();

			// then
			assertThat(exist.subList(0, 200)).containsOnly(true);
			assertThat(exist.get(200)).isFalse();
			assertThat(deleted.subList(0, moved.size())).containsOnly(true);
			assertThat(deleted.get(moved.size())).isFalse();
			assertThat(ttl).containsExactly(TtlOutcome.FIXED_MISSING);
			assertThat(writer.counts().written()).isEqualTo(100);
			for (String key : moved) {
				assertThat(client.exists(key)).as(key).isFalse();
			}
			assertThat(client.exists(changed)).isTrue();
			assertThat(client.ttl(P + "nottl")).isBetween(1L, 3_600L);
			for (int i = 0; i < 100; i++) {
				assertThat(client.exists(P + "new" + i)).isTrue();
			}
		}
		finally {
			cluster.moveSlots(1, 0, 0, 2_999);
		}
	}

	@Test
	void shouldStopTheScanOfAMasterThatGaveSlotsAwayAndStartItOverWhenResumed() throws Exception {
		// given: 3000 states, and a scan of the first master saved after one page
		try (JedisCluster client = cluster.client()) {
			for (int i = 0; i < 3_000; i++) {
				client.setex(P + "s" + i, 3_600, "{}");
			}
		}
		ExecutionContext context = new ExecutionContext();
		KeeperProperties.Redis smallPages = WorkerSettings.defaults()
			.with("keeper.redis.scan-count", 100)
			.keeperProperties()
			.redis();
		try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(cluster.uri()), P, smallPages)) {
			ItemStreamReader<KeyInfo> reader = store.maintenance()
				.orElseThrow()
				.keyReaders("report", KeyDetail.SIZE_AND_TTL)
				.get(0);
			reader.open(context);
			reader.read();
			reader.update(context);

			// when: slots of that master move, and the scan goes on
			cluster.moveSlots(0, 1, 0, 999);
			Thread.sleep(1_100);

			// then
			assertThatExceptionOfType(StoreAccessException.class).isThrownBy(() -> {
				while (reader.read() != null) {
					// the first page and on, until the next SCAN
				}
			}).withMessageContaining("changed during the scan");
			reader.close();
		}
		try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(cluster.uri()), P, SETTINGS)) {
			// and the resumed scan, of the same master under a new name, reads its keys
			// from the start
			List<ItemStreamReader<KeyInfo>> readers = store.maintenance()
				.orElseThrow()
				.keyReaders("report", KeyDetail.SIZE_AND_TTL);
			long read = 0;
			for (ItemStreamReader<KeyInfo> reader : readers) {
				reader.open(context);
				while (reader.read() != null) {
					read++;
				}
				reader.close();
			}
			assertThat(read).isEqualTo(3_000);
		}
		finally {
			cluster.moveSlots(1, 0, 0, 999);
		}
	}

}
