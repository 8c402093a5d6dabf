package dev.workflowkeeper.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.MaintainableStoreContractTests;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.support.RedisClusterProcess;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.params.SetParams;

/**
 * The {@link MaintainableStore} contract on a Redis Cluster of three masters, addressed
 * by one of them: the keys spread over the masters, one reader each.
 */
class RedisClusterMaintainableStoreContractIntegrationTests extends MaintainableStoreContractTests {

	private static RedisClusterProcess cluster;

	private static JedisCluster client;

	private final List<RedisWorkflowStore> stores = new ArrayList<>();

	@BeforeAll
	static void start() {
		cluster = RedisClusterProcess.start(Version.DEFAULT, 3, false);
		client = cluster.client();
	}

	@AfterAll
	static void stop() {
		if (client != null) {
			client.close();
		}
		if (cluster != null) {
			cluster.close();
		}
	}

	@BeforeEach
	void flush() {
		for (int i = 0; i < 3; i++) {
			try (Jedis jedis = new Jedis("127.0.0.1", cluster.master(i).port())) {
				jedis.flushAll();
			}
		}
	}

	@AfterEach
	void closeStores() {
		this.stores.forEach(RedisWorkflowStore::close);
	}

	@Override
	protected MaintainableStore maintenance(Paging paging) {
		RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(cluster.uri()), PREFIX,
				WorkerSettings.defaults()
					.withRedisPaging(paging.scanCount(), paging.pipelineSize(), paging.pipelinesInFlight())
					.keeperProperties()
					.redis());
		this.stores.add(store);
		return store.maintenance().orElseThrow();
	}

	@Override
	protected void put(String key, String value, Duration ttl) {
		if (ttl != null) {
			client.set(key, value, SetParams.setParams().px(ttl.toMillis()));
		}
		else {
			client.set(key, value);
		}
	}

	@Override
	protected void putAll(Map<String, String> values, Duration ttl) {
		values.forEach((key, value) -> put(key, value, ttl));
	}

	@Override
	protected long pttl(String key) {
		return client.pttl(key);
	}

	@Override
	protected String value(String key) {
		return client.get(key);
	}

	@Override
	protected void delete(String key) {
		client.del(key);
	}

	@Override
	protected boolean keepsKeysWithoutTtl() {
		return true;
	}

	@Override
	protected boolean holdsOtherTypes() {
		return true;
	}

	@Override
	protected void putOtherType(String key) {
		client.hset(key, "status", "running");
	}

	@Override
	protected boolean countsVanishedKeys() {
		return true;
	}

}
