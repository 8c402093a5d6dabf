package dev.workflowkeeper.store.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.MaintainableStoreContractTests;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisVersion;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtendWith;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;

/**
 * The {@link MaintainableStore} contract on Redis 7 and on Redis 6.2, each on a database
 * of the JVM's shared server of that version.
 */
@ExtendWith(RedisServerExtension.class)
class RedisMaintainableStoreContractIntegrationTests {

	@Nested
	class Redis7 extends OnRedis {

		Redis7(RedisDatabase redis) {
			super(redis);
		}

	}

	@Nested
	class Redis62 extends OnRedis {

		Redis62(@RedisVersion(Version.V6_2) RedisDatabase redis) {
			super(redis);
		}

	}

	/**
	 * How the contract writes and looks at keys in Redis, with every store it opened
	 * closed after each test.
	 */
	abstract static class OnRedis extends MaintainableStoreContractTests {

		private final RedisDatabase redis;

		private final List<RedisWorkflowStore> stores = new ArrayList<>();

		OnRedis(RedisDatabase redis) {
			this.redis = redis;
		}

		@AfterEach
		void closeStores() {
			this.stores.forEach(RedisWorkflowStore::close);
		}

		@Override
		protected MaintainableStore maintenance(Paging paging) {
			RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(this.redis.uri()), PREFIX,
					WorkerSettings.defaults()
						.withRedisPaging(paging.scanCount(), paging.pipelineSize(), paging.pipelinesInFlight())
						.keeperProperties()
						.redis());
			this.stores.add(store);
			return store.maintenance().orElseThrow();
		}

		@Override
		protected void put(String key, String value, Duration ttl) {
			try (Jedis jedis = this.redis.jedis()) {
				if (ttl != null) {
					jedis.set(key, value, SetParams.setParams().px(ttl.toMillis()));
				}
				else {
					jedis.set(key, value);
				}
			}
		}

		@Override
		protected void putAll(Map<String, String> values, Duration ttl) {
			try (Jedis jedis = this.redis.jedis(); Pipeline pipeline = jedis.pipelined()) {
				values.forEach((key, value) -> pipeline.set(key, value, SetParams.setParams().px(ttl.toMillis())));
			}
		}

		@Override
		protected long pttl(String key) {
			try (Jedis jedis = this.redis.jedis()) {
				return jedis.pttl(key);
			}
		}

		@Override
		protected String value(String key) {
			try (Jedis jedis = this.redis.jedis()) {
				return jedis.get(key);
			}
		}

		@Override
		protected void delete(String key) {
			try (Jedis jedis = this.redis.jedis()) {
				jedis.del(key);
			}
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
			try (Jedis jedis = this.redis.jedis()) {
				jedis.hset(key, "status", "running");
			}
		}

		@Override
		protected boolean countsVanishedKeys() {
			return true;
		}

	}

}
