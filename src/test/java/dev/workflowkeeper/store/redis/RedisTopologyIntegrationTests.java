package dev.workflowkeeper.store.redis;

import java.util.List;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.support.RedisClusterProcess;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.SampleStates;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.JedisCluster;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The masters of a Redis 6.2 Cluster, which knows no {@code CLUSTER SHARDS}, found by
 * {@code CLUSTER SLOTS}: one reader per master, named by its slots, which together read
 * every state once; a seed list whose first seed is down still connects.
 */
class RedisTopologyIntegrationTests {

	private static final KeeperProperties.Redis SETTINGS = WorkerSettings.defaults().keeperProperties().redis();

	@Test
	void shouldReadEveryStateOfARedis62ClusterOnceThroughOneReaderPerMaster() throws Exception {
		try (RedisClusterProcess cluster = RedisClusterProcess.start(Version.V6_2, 3, false)) {
			// given
			try (JedisCluster client = cluster.client()) {
				SampleStates.states(500).forEach((id, state) -> client.setex(SampleStates.PREFIX + id, 3_600, state));
			}
			int deadPort = RedisServerProcess.freePort();
			String seeds = "redis://127.0.0.1:" + deadPort + "," + cluster.seedsUri().substring("redis://".length());

			// when
			try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(seeds), SampleStates.PREFIX,
					SETTINGS)) {
				List<ItemStreamReader<WorkflowEntry>> readers = store.readers("source");
				long read = 0;
				for (ItemStreamReader<WorkflowEntry> reader : readers) {
					reader.open(new ExecutionContext());
					while (reader.read() != null) {
						read++;
					}
					reader.close();
				}

				// then
				assertThat(store.cluster()).isTrue();
				assertThat(store.serverVersion()).startsWith("6.2");
				assertThat(readers).hasSize(3);
				assertThat(read).isEqualTo(500);
				assertThat(store.estimateCount()).isEqualTo(500);
				ExecutionContext context = new ExecutionContext();
				readers.get(0).open(context);
				readers.get(0).update(context);
				assertThat(context.containsKey("source.0-5460.cursor")).isTrue();
				assertThat(context.getString("source.0-5460.slots")).isEqualTo("0-5460");
				readers.get(0).close();
			}
		}
	}

}
