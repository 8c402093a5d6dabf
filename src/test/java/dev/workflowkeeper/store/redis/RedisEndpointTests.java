package dev.workflowkeeper.store.redis;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.Test;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

import static org.assertj.core.api.Assertions.assertThat;

class RedisEndpointTests {

	@Test
	void shouldTakeEverythingFromTheUrl() {
		// when
		RedisEndpoint endpoint = endpoint("rediss://ops:p%40ss%3Aword@cache.example:6380/2", "other", 5);

		// then
		assertThat(endpoint).isEqualTo(new RedisEndpoint("cache.example", 6380, true, "ops", "p@ss:word", 2));
	}

	@Test
	void shouldFillInPasswordAndDatabaseFromTheSettingsWhenTheUrlHasNone() {
		assertThat(endpoint("redis://host", "from-env", 4))
			.isEqualTo(new RedisEndpoint("host", 6379, false, null, "from-env", 4));
		assertThat(endpoint("redis://ops@host:6379/", "from-env", null))
			.isEqualTo(new RedisEndpoint("host", 6379, false, "ops", "from-env", 0));
		assertThat(endpoint("redis://:@host:6379/1", "", null))
			.isEqualTo(new RedisEndpoint("host", 6379, false, null, null, 1));
	}

	@Test
	void shouldNeverShowThePassword() {
		// when
		RedisEndpoint endpoint = endpoint("redis://ops:s3cret@[::1]:7000/3", "", null);

		// then
		assertThat(endpoint.host()).isEqualTo("::1");
		assertThat(endpoint).hasToString("redis://ops:****@::1:7000/3");
	}

	@Test
	void shouldTakeTheMastersCredentialsAndDatabaseFromASentinelAddress() {
		// when
		RedisEndpoint endpoint = endpoint("rediss-sentinel://ops:s3cret@s1:26380,s2/2#orders", "other", 5);
		RedisEndpoint defaults = endpoint("redis-sentinel://s1#orders", "from-env", 4);

		// then
		assertThat(endpoint.isSentinel()).isTrue();
		assertThat(endpoint.tls()).isTrue();
		assertThat(endpoint.master()).isEqualTo("orders");
		assertThat(endpoint.sentinels()).containsExactly(new HostAndPort("s1", 26380), new HostAndPort("s2", 26379));
		assertThat(endpoint.user()).isEqualTo("ops");
		assertThat(endpoint.password()).isEqualTo("s3cret");
		assertThat(endpoint.db()).isEqualTo(2);
		assertThat(endpoint).hasToString("rediss-sentinel://ops:****@s1:26380,s2:26379/2#orders");
		assertThat(defaults.password()).isEqualTo("from-env");
		assertThat(defaults.db()).isEqualTo(4);
	}

	@Test
	void shouldGiveTheSentinelsTheirOwnPasswordNeverTheMasters() {
		// given
		KeeperProperties.Redis settings = WorkerSettings.defaults()
			.with("keeper.redis.sentinel.password", "sentinel-secret")
			.keeperProperties()
			.redis();
		RedisEndpoint endpoint = RedisEndpoint.of(StoreUri.parse("redis-sentinel://:master-secret@s1#m"), settings);

		// when
		JedisClientConfig master = endpoint.clientConfig(settings);
		JedisClientConfig sentinels = endpoint.sentinelClientConfig(settings);

		// then
		assertThat(master.getCredentialsProvider().get().getPassword()).isEqualTo("master-secret".toCharArray());
		assertThat(sentinels.getCredentialsProvider().get().getPassword()).isEqualTo("sentinel-secret".toCharArray());
		assertThat(sentinels.getDatabase()).isZero();
	}

	private static RedisEndpoint endpoint(String url, String password, Integer db) {
		WorkerSettings worker = WorkerSettings.defaults().with("keeper.redis.password", password);
		KeeperProperties.Redis settings = ((db != null) ? worker.with("keeper.redis.db", db) : worker)
			.keeperProperties()
			.redis();
		return RedisEndpoint.of(StoreUri.parse(url), settings);
	}

}
