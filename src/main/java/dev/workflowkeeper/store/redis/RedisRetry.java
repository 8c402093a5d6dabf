package dev.workflowkeeper.store.redis;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.ssl.SSLException;

import dev.workflowkeeper.config.KeeperProperties;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The one retry policy of every Redis command the worker sends, reads and writes alike:
 * which failures are passing — the connection dropped, reset or timed out, or the server
 * answered {@code BUSY}, {@code LOADING}, {@code TRYAGAIN}, {@code OOM} or
 * {@code MASTERDOWN} — and how long to wait before the next attempt: exponential backoff
 * with jitter, bounded by attempts and by total time. Everything else (refused
 * credentials, {@code WRONGTYPE}, an unknown host, a failed TLS handshake) is final at
 * once.
 * <p>
 * A burst of retries is logged at WARN once, not once per command: a server restarting
 * fails every pipeline in flight. Thread-safe.
 */
final class RedisRetry {

	private static final Log logger = LogFactory.getLog(RedisRetry.class);

	/** Retries closer together than this belong to the same burst. */
	private static final long BURST_GAP_NANOS = Duration.ofSeconds(10).toNanos();

	private static final String[] PASSING_REPLIES = { "BUSY", "LOADING", "TRYAGAIN", "OOM", "MASTERDOWN" };

	private final KeeperProperties.Redis.Retry settings;

	private final AtomicLong retries = new AtomicLong();

	private final AtomicLong lastRetryAt = new AtomicLong(System.nanoTime() - 2 * BURST_GAP_NANOS);

	RedisRetry(KeeperProperties.Redis.Retry settings) {
		this.settings = settings;
	}

	/** Whether {@code ex} is a passing trouble worth another attempt. */
	static boolean isPassing(JedisException ex) {
		if (ex instanceof JedisConnectionException) {
			return !causedBy(ex, UnknownHostException.class) && !causedBy(ex, SSLException.class)
					&& !causedBy(ex, JedisAccessControlException.class);
		}
		if (ex instanceof JedisDataException && ex.getMessage() != null) {
			for (String reply : PASSING_REPLIES) {
				if (ex.getMessage().startsWith(reply)) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Whether a write reached a replica: a master demoted by a failover, whose clients
	 * have not yet moved to the new one.
	 */
	static boolean isReadOnly(JedisException ex) {
		return ex.getMessage() != null && ex.getMessage().startsWith("READONLY");
	}

	/** Whether no connection could be opened at all: nothing listens, or no route. */
	static boolean isRefused(JedisException ex) {
		return causedBy(ex, ConnectException.class) || causedBy(ex, NoRouteToHostException.class);
	}

	/** Whether {@code ex} means the connection is lost, and maybe its pooled siblings. */
	static boolean isConnectionLoss(JedisException ex) {
		return ex instanceof JedisConnectionException;
	}

	/**
	 * The pause before attempt {@code attempt + 1}, or {@code null} when the bound is
	 * reached: {@code attempt} attempts made since {@code startedNanos}.
	 */
	Duration backoff(int attempt, long startedNanos) {
		if (attempt >= this.settings.maxAttempts()) {
			return null;
		}
		long initial = Math.max(1, this.settings.initialBackoff().toMillis());
		long max = Math.max(initial, this.settings.maxBackoff().toMillis());
		long exponential = (attempt > 30) ? max : Math.min(max, initial << (attempt - 1));
		// jitter: between half and all of it, so that the threads of a step and other
		// clients do not come back in step
		long pause = exponential / 2 + ThreadLocalRandom.current().nextLong(exponential / 2 + 1);
		long left = this.settings.maxTime().toMillis() - Duration.ofNanos(System.nanoTime() - startedNanos).toMillis();
		if (left <= 0) {
			return null;
		}
		return Duration.ofMillis(Math.min(pause, left));
	}

	/** Counts a retry; logs it at WARN when it starts a burst, else at DEBUG. */
	void retrying(String failure, int attempt, Duration pause) {
		this.retries.incrementAndGet();
		long now = System.nanoTime();
		long previous = this.lastRetryAt.getAndSet(now);
		if (now - previous > BURST_GAP_NANOS) {
			logger.warn(failure + "; retrying with backoff (up to " + this.settings.maxAttempts() + " attempts within "
					+ this.settings.maxTime().toMillis() / 1000.0 + " s per command)");
		}
		else if (logger.isDebugEnabled()) {
			logger.debug(failure + "; attempt " + (attempt + 1) + " in " + pause.toMillis() + " ms");
		}
	}

	/** Retries so far, of every command. */
	long retries() {
		return this.retries.get();
	}

	private static boolean causedBy(Throwable ex, Class<? extends Throwable> type) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (type.isInstance(t)) {
				return true;
			}
			for (Throwable suppressed : t.getSuppressed()) {
				if (type.isInstance(suppressed) || type.isInstance(suppressed.getCause())) {
					return true;
				}
			}
			if (t.getCause() == t) {
				return false;
			}
		}
		return false;
	}

}
