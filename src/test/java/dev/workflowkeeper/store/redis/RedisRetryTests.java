package dev.workflowkeeper.store.redis;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;

import javax.net.ssl.SSLHandshakeException;

import dev.workflowkeeper.config.KeeperProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which failures the retry policy takes for passing, and the pauses it makes.
 */
class RedisRetryTests {

	@ParameterizedTest
	@ValueSource(strings = { "BUSY Redis is busy running a script", "LOADING Redis is loading the dataset in memory",
			"TRYAGAIN Multiple keys request during rehashing of slot",
			"OOM command not allowed when used memory > 'maxmemory'.", "MASTERDOWN Link with MASTER is down" })
	void shouldRetryTheServersOwnSignals(String reply) {
		assertThat(RedisRetry.isPassing(new JedisDataException(reply))).isTrue();
	}

	@ParameterizedTest
	@ValueSource(strings = { "WRONGTYPE Operation against a key holding the wrong kind of value",
			"NOAUTH Authentication required.", "NOPERM this user has no permissions", "ERR unknown command" })
	void shouldNotRetryWhatAnotherAttemptCannotMend(String reply) {
		assertThat(RedisRetry.isPassing(new JedisDataException(reply))).isFalse();
	}

	@Test
	void shouldRetryALostConnectionButNotABadAddressOrCredentials() {
		assertThat(RedisRetry.isPassing(new JedisConnectionException("Unexpected end of stream."))).isTrue();
		assertThat(RedisRetry.isPassing(new JedisConnectionException(new SocketTimeoutException("Read timed out"))))
			.isTrue();
		assertThat(RedisRetry.isPassing(new JedisBusyException("BUSY Redis is busy running a script"))).isTrue();
		assertThat(RedisRetry.isPassing(new JedisNoScriptException("NOSCRIPT No matching script"))).isFalse();
		assertThat(RedisRetry.isPassing(new JedisConnectionException(new UnknownHostException("redis.invalid"))))
			.isFalse();
		assertThat(RedisRetry.isPassing(new JedisConnectionException(new SSLHandshakeException("handshake"))))
			.isFalse();
		assertThat(RedisRetry.isPassing(new JedisAccessControlException("WRONGPASS invalid username-password")))
			.isFalse();
		assertThat(RedisRetry.isRefused(new JedisConnectionException(new ConnectException("Connection refused"))))
			.isTrue();
	}

	@Test
	void shouldDoubleThePauseWithJitterUpToTheBounds() {
		// given
		RedisRetry retry = new RedisRetry(new KeeperProperties.Redis.Retry(5, Duration.ofMillis(100),
				Duration.ofMillis(300), Duration.ofHours(1)));
		long started = System.nanoTime();

		// then: half to all of 100, 200, 300 (capped), 300 ms; none after the 5th attempt
		assertThat(retry.backoff(1, started).toMillis()).isBetween(50L, 100L);
		assertThat(retry.backoff(2, started).toMillis()).isBetween(100L, 200L);
		assertThat(retry.backoff(3, started).toMillis()).isBetween(150L, 300L);
		assertThat(retry.backoff(4, started).toMillis()).isBetween(150L, 300L);
		assertThat(retry.backoff(5, started)).isNull();
	}

	@Test
	void shouldStopRetryingOnceTheTimeIsUp() {
		// given
		RedisRetry retry = new RedisRetry(new KeeperProperties.Redis.Retry(100, Duration.ofMillis(100),
				Duration.ofSeconds(5), Duration.ofSeconds(1)));

		// then
		assertThat(retry.backoff(1, System.nanoTime() - Duration.ofSeconds(2).toNanos())).isNull();
		assertThat(retry.backoff(1, System.nanoTime()).toMillis()).isLessThanOrEqualTo(100L);
		assertThat(KeeperProperties.Redis.Retry.never().maxAttempts()).isEqualTo(1);
		assertThat(new RedisRetry(KeeperProperties.Redis.Retry.never()).backoff(1, System.nanoTime())).isNull();
	}

}
