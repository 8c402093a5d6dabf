package dev.workflowkeeper.store.redis;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.Test;

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

	private static RedisEndpoint endpoint(String url, String password, Integer db) {
		WorkerSettings worker = WorkerSettings.defaults().with("keeper.redis.password", password);
		KeeperProperties.Redis settings = ((db != null) ? worker.with("keeper.redis.db", db) : worker)
			.keeperProperties()
			.redis();
		return RedisEndpoint.of(StoreUri.parse(url), settings);
	}

}
