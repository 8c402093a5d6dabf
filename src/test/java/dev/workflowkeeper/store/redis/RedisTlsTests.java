package dev.workflowkeeper.store.redis;

import java.nio.file.Path;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import redis.clients.jedis.JedisClientConfig;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class RedisTlsTests {

	@TempDir
	Path tmp;

	@Test
	void shouldCheckTheHostNameUnlessVerifyModeSaysOtherwise() {
		// when
		JedisClientConfig full = config("rediss://h:6380/0", WorkerSettings.defaults());
		JedisClientConfig ca = config("rediss://h:6380/0",
				WorkerSettings.defaults().with("keeper.redis.tls.verify-mode", "ca"));
		JedisClientConfig none = config("rediss-sentinel://h:26379/0#m",
				WorkerSettings.defaults().with("keeper.redis.tls.verify-mode", "none"));
		JedisClientConfig plain = config("redis://h:6379/0",
				WorkerSettings.defaults().with("keeper.redis.tls.verify-mode", "none"));

		// then
		assertThat(full.isSsl()).isTrue();
		assertThat(full.getSslParameters().getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
		assertThat(full.getSslSocketFactory()).isNull();
		assertThat(ca.getSslParameters().getEndpointIdentificationAlgorithm()).isNull();
		assertThat(none.isSsl()).isTrue();
		assertThat(none.getSslParameters().getEndpointIdentificationAlgorithm()).isNull();
		assertThat(none.getSslSocketFactory()).isNotNull();
		assertThat(plain.isSsl()).isFalse();
	}

	@Test
	void shouldNameAnUnreadableCaFileInOneLine() {
		// given
		WorkerSettings settings = WorkerSettings.defaults()
			.with("keeper.redis.tls.ca-file", this.tmp.resolve("missing.pem").toString());

		// when, then
		assertThatExceptionOfType(StoreAccessException.class).isThrownBy(() -> config("rediss://h:6380/0", settings))
			.withMessageContaining("keeper.redis.tls.ca-file")
			.withMessageNotContaining("\n");
	}

	private static JedisClientConfig config(String address, WorkerSettings worker) {
		KeeperProperties.Redis settings = worker.keeperProperties().redis();
		return RedisEndpoint.of(StoreUri.parse(address), settings).clientConfig(settings);
	}

}
