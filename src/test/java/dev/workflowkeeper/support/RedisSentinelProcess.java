package dev.workflowkeeper.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.workflowkeeper.support.RedisServerProcess.Version;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A master, a replica and three Sentinels that monitor them as {@code mymaster}, all real
 * {@code redis-server} processes on free ports, for tests of {@code redis-sentinel://}
 * addresses and of a failover ({@link #failover()}).
 */
public final class RedisSentinelProcess implements AutoCloseable {

	/** The name under which the Sentinels monitor the master. */
	public static final String MASTER_NAME = "mymaster";

	private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

	private final List<RedisServerProcess> servers = new ArrayList<>();

	private final List<Process> sentinels = new ArrayList<>();

	private final List<Integer> sentinelPorts = new ArrayList<>();

	private final List<Path> sentinelDirs = new ArrayList<>();

	private RedisSentinelProcess() {
	}

	/**
	 * Starts a master, a replica of it and three Sentinels, and returns once every
	 * Sentinel knows the replica (so that a failover has a replica to promote) and the
	 * replica is in sync.
	 */
	public static RedisSentinelProcess start() {
		RedisSentinelProcess topology = new RedisSentinelProcess();
		try {
			RedisServerProcess master = RedisServerProcess.start(Version.DEFAULT);
			topology.servers.add(master);
			topology.servers.add(RedisServerProcess.start(Version.DEFAULT, "--replicaof", "127.0.0.1",
					Integer.toString(master.port())));
			for (int i = 0; i < 3; i++) {
				topology.startSentinel(master.port());
			}
			topology.awaitReady();
			return topology;
		}
		catch (RuntimeException ex) {
			topology.close();
			throw ex;
		}
	}

	/** The address the worker is given: every Sentinel, database 0, {@code #mymaster}. */
	public String uri() {
		return "redis-sentinel://"
				+ this.sentinelPorts.stream().map((port) -> "127.0.0.1:" + port).collect(Collectors.joining(","))
				+ "/0#" + MASTER_NAME;
	}

	/** The server that the Sentinels name as master now. */
	public RedisServerProcess master() {
		int port = masterPort();
		return this.servers.stream().filter((server) -> server.port() == port).findFirst().orElseThrow();
	}

	/** The server that is not the master now. */
	public RedisServerProcess replica() {
		int port = masterPort();
		return this.servers.stream().filter((server) -> server.port() != port).findFirst().orElseThrow();
	}

	public List<Integer> sentinelPorts() {
		return List.copyOf(this.sentinelPorts);
	}

	/**
	 * Forces a failover ({@code SENTINEL FAILOVER mymaster}) and returns once every
	 * Sentinel names the former replica as master and it answers as one.
	 */
	public void failover() {
		int before = masterPort();
		long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
		while (true) {
			try (Jedis sentinel = sentinel(0)) {
				sentinel.sendCommand(() -> "SENTINEL".getBytes(), "FAILOVER", MASTER_NAME);
				break;
			}
			catch (JedisException ex) {
				// NOGOODSLAVE until the Sentinel has seen the replica in sync, INPROG
				if (System.nanoTime() > deadline) {
					throw new IllegalStateException("SENTINEL FAILOVER was refused: " + ex.getMessage(), ex);
				}
				sleep(200);
			}
		}
		await("the Sentinels to name a new master", () -> {
			for (int i = 0; i < this.sentinelPorts.size(); i++) {
				if (masterPort(i) == before) {
					return false;
				}
			}
			try (Jedis master = new Jedis("127.0.0.1", masterPort())) {
				Object role = master.role().get(0);
				return "master".equals((role instanceof byte[] bytes) ? new String(bytes) : String.valueOf(role));
			}
		});
	}

	@Override
	public void close() {
		for (Process sentinel : this.sentinels) {
			sentinel.destroyForcibly();
			try {
				sentinel.waitFor(10, TimeUnit.SECONDS);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.servers.forEach(RedisServerProcess::close);
	}

	private void startSentinel(int masterPort) {
		int port = RedisServerProcess.freePort();
		try {
			Path dir = Files.createTempDirectory("redis-sentinel");
			Path config = dir.resolve("sentinel.conf");
			Files.writeString(config,
					String.join("\n", "port " + port, "bind 127.0.0.1", "dir " + dir,
							"logfile " + dir.resolve("sentinel.log"),
							"sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 2",
							"sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
							"sentinel failover-timeout " + MASTER_NAME + " 5000", ""));
			Process process = new ProcessBuilder(RedisServerProcess.binary(Version.DEFAULT).toString(),
					config.toString(), "--sentinel")
				.redirectErrorStream(true)
				.redirectOutput(dir.resolve("stdout.log").toFile())
				.start();
			this.sentinels.add(process);
			this.sentinelPorts.add(port);
			this.sentinelDirs.add(dir);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private void awaitReady() {
		await("the Sentinels to see the replica and each other", () -> {
			for (int i = 0; i < this.sentinelPorts.size(); i++) {
				try (Jedis sentinel = sentinel(i)) {
					List<Map<String, String>> replicas = sentinel.sentinelReplicas(MASTER_NAME);
					if (replicas.isEmpty() || replicas.get(0).get("flags").contains("down")
							|| sentinel.sentinelSentinels(MASTER_NAME).size() < this.sentinelPorts.size() - 1) {
						return false;
					}
				}
			}
			try (Jedis replica = new Jedis("127.0.0.1", this.servers.get(1).port())) {
				return replica.info("replication").contains("master_link_status:up");
			}
		});
	}

	private int masterPort() {
		return masterPort(0);
	}

	private int masterPort(int sentinel) {
		try (Jedis jedis = sentinel(sentinel)) {
			return Integer.parseInt(jedis.sentinelGetMasterAddrByName(MASTER_NAME).get(1));
		}
	}

	private Jedis sentinel(int index) {
		return new Jedis("127.0.0.1", this.sentinelPorts.get(index));
	}

	private void await(String what, java.util.function.BooleanSupplier condition) {
		long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
		RuntimeException last = null;
		while (System.nanoTime() < deadline) {
			try {
				if (condition.getAsBoolean()) {
					return;
				}
			}
			catch (RuntimeException ex) {
				// not listening yet
				last = ex;
			}
			sleep(100);
		}
		throw new IllegalStateException("timed out waiting for " + what + " (logs in " + this.sentinelDirs + ")", last);
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

}
