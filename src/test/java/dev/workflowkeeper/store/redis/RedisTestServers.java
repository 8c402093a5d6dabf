package dev.workflowkeeper.store.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.RedisServerProcess.Version;

import redis.clients.jedis.Jedis;

import org.springframework.util.unit.DataSize;

/**
 * The Redis servers of one test class, one per version, started on first use and emptied before each
 * test; plus the worker's settings pointing at them.
 */
final class RedisTestServers implements AutoCloseable {

	static final String PREFIX = "document_workflow:";

	private final Map<Version, RedisServerProcess> servers = new EnumMap<>(Version.class);

	/** A running, empty server of {@code version}. */
	RedisServerProcess fresh(Version version) {
		RedisServerProcess server = this.servers.computeIfAbsent(version, RedisServerProcess::start);
		try (Jedis jedis = jedis(server)) {
			jedis.flushAll();
			jedis.scriptFlush();
		}
		return server;
	}

	static Jedis jedis(RedisServerProcess server) {
		return new Jedis("127.0.0.1", server.port());
	}

	static KeeperProperties properties(int scanCount, int pipelineSize) {
		return properties("", null, scanCount, pipelineSize);
	}

	static KeeperProperties properties(String password, Integer db, int scanCount, int pipelineSize) {
		return properties(password, db, Duration.ofSeconds(5), scanCount, pipelineSize);
	}

	static KeeperProperties properties(String password, Integer db, Duration socketTimeout, int scanCount,
			int pipelineSize) {
		return properties(password, db, socketTimeout, scanCount, pipelineSize, 2);
	}

	static KeeperProperties properties(String password, Integer db, Duration socketTimeout, int scanCount,
			int pipelineSize, int pipelinesInFlight) {
		KeeperProperties.Redis redis = new KeeperProperties.Redis("", false, password, db, 4, socketTimeout,
				Duration.ofSeconds(2), scanCount, pipelineSize, pipelinesInFlight);
		return new KeeperProperties(PREFIX, Duration.ofDays(1), Path.of("target/data"), redis,
				new KeeperProperties.Migration(1000, 1000, DataSize.ofMegabytes(16), Duration.ofSeconds(5), 4000,
						DataSize.ofMegabytes(32)),
				new KeeperProperties.Maintenance(Duration.ZERO, Duration.ofHours(24), 0.5, 10, 1000, 4000,
						DataSize.ofMegabytes(32), 1000));
	}

	@Override
	public void close() {
		this.servers.values().forEach(RedisServerProcess::close);
		this.servers.clear();
	}

}
