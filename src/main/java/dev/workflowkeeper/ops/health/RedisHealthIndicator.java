package dev.workflowkeeper.ops.health;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.redis.RedisWorkflowStore;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The health of the worker's default Redis, the one the service's settings name
 * ({@code REDIS_URL} with {@code USE_REDIS}): UP with the server's {@code version} and
 * replication {@code role}, DOWN with one line that says what failed. Without a
 * configured Redis (the default store is {@code memory:}) it is UNKNOWN, which never
 * takes the worker's health down. Each check opens its own short-lived connection, with
 * timeouts of at most {@link #PROBE_TIMEOUT}, so that a probe never waits for the job
 * timeouts. The address is always shown masked.
 */
class RedisHealthIndicator implements HealthIndicator {

	/** The longest a check waits to connect, and then for an answer. */
	static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

	private final KeeperProperties properties;

	private final KeeperProperties.Redis probeSettings;

	RedisHealthIndicator(KeeperProperties properties) {
		this.properties = properties;
		this.probeSettings = probeSettings(properties.redis());
	}

	@Override
	public Health health() {
		KeeperProperties.Redis redis = this.properties.redis();
		if (!redis.configured()) {
			return Health.unknown().withDetail("configured", false).withDetail("store", "memory:").build();
		}
		String store = StoreUri.mask(redis.url());
		try {
			StoreUri uri = StoreUri.parse(redis.url());
			try (RedisWorkflowStore probe = new RedisWorkflowStore(uri, this.properties.keyPrefix(),
					this.probeSettings)) {
				Map<String, Object> info = probe.maintenance().orElseThrow().serverInfo();
				Health.Builder health = Health.up()
					.withDetail("store", store)
					.withDetail("version", probe.serverVersion());
				if (info.get("role") != null) {
					health.withDetail("role", info.get("role"));
				}
				if (info.get("masters") instanceof List<?> masters) {
					health.withDetail("clusterMasters", masters.size());
				}
				return health.build();
			}
		}
		catch (RuntimeException ex) {
			return Health.down()
				.withDetail("store", store)
				.withDetail("error", oneLine(ex.getMessage(), redis.password()))
				.build();
		}
	}

	/** The message's first line, with any password masked. */
	private static String oneLine(String message, String password) {
		if (message == null || message.isBlank()) {
			return "Redis check failed";
		}
		String line = StoreUri.mask(message.lines().findFirst().orElse(message).trim());
		return (password == null || password.isEmpty()) ? line : line.replace(password, "****");
	}

	/**
	 * The worker's Redis settings with the timeouts capped and one connection, for a
	 * probe.
	 */
	private static KeeperProperties.Redis probeSettings(KeeperProperties.Redis redis) {
		return new KeeperProperties.Redis(redis.url(), redis.useRedis(), redis.password(), redis.db(), 1,
				min(redis.socketTimeout(), PROBE_TIMEOUT), min(redis.connectTimeout(), PROBE_TIMEOUT),
				redis.scanCount(), redis.pipelineSize(), 0, KeeperProperties.Redis.Retry.never(), redis.pace(),
				redis.tls(), redis.sentinel());
	}

	/**
	 * The shorter of the two; a configured zero (wait forever) counts as longer than any.
	 */
	private static Duration min(Duration configured, Duration cap) {
		return (configured.isZero() || configured.isNegative() || configured.compareTo(cap) > 0) ? cap : configured;
	}

}
