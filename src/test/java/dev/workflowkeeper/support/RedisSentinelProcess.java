package dev.workflowkeeper.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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

	/** The TLS ports of the servers and Sentinels, when they speak TLS. */
	private final Map<Integer, Integer> tlsPorts = new HashMap<>();

	/** The server and Sentinel options of TLS, empty without. */
	private final List<String> tlsOptions;

	private RedisSentinelProcess(List<String> tlsOptions) {
		this.tlsOptions = tlsOptions;
	}

	/**
	 * Starts a master, a replica of it and three Sentinels, and returns once every
	 * Sentinel knows the replica (so that a failover has a replica to promote) and the
	 * replica is in sync.
	 */
	public static RedisSentinelProcess start() {
		return start(List.of());
	}

	/**
	 * Starts the same topology speaking TLS, with the certificate {@code cert} and its
	 * key: the servers replicate and the Sentinels monitor over TLS, and {@link #uri()}
	 * is a {@code rediss-sentinel://} address of the Sentinels' TLS ports. Every process
	 * keeps a plain-text port too, for the test's own checks.
	 */
	public static RedisSentinelProcess startTls(Path cert, Path key, Path ca) {
		return start(List.of("tls-cert-file", cert.toString(), "tls-key-file", key.toString(), "tls-ca-cert-file",
				ca.toString(), "tls-auth-clients", "no", "tls-replication", "yes"));
	}

	private static RedisSentinelProcess start(List<String> tlsOptions) {
		RedisSentinelProcess topology = new RedisSentinelProcess(tlsOptions);
		try {
			RedisServerProcess master = topology.startServer();
			topology.servers.add(master);
			topology.servers.add(topology.startServer("--replicaof", "127.0.0.1",
					Integer.toString(topology.announced(master.port()))));
			for (int i = 0; i < 3; i++) {
				topology.startSentinel(topology.announced(master.port()));
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
		String sentinels = this.sentinelPorts.stream()
			.map((port) -> "127.0.0.1:" + announced(port))
			.collect(Collectors.joining(","));
		return (this.tlsOptions.isEmpty() ? "redis-sentinel://" : "rediss-sentinel://") + sentinels + "/0#"
				+ MASTER_NAME;
	}

	/** The server that the Sentinels name as master now. */
	public RedisServerProcess master() {
		int port = masterPort();
		return this.servers.stream().filter((server) -> announced(server.port()) == port).findFirst().orElseThrow();
	}

	/** The server that is not the master now. */
	public RedisServerProcess replica() {
		int port = masterPort();
		return this.servers.stream().filter((server) -> announced(server.port()) != port).findFirst().orElseThrow();
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
			try (Jedis master = new Jedis("127.0.0.1", master().port())) {
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

	private RedisServerProcess startServer(String... args) {
		List<String> options = new ArrayList<>(List.of(args));
		int tlsPort = 0;
		if (!this.tlsOptions.isEmpty()) {
			tlsPort = RedisServerProcess.freePort();
			options.addAll(List.of("--tls-port", Integer.toString(tlsPort)));
			for (int i = 0; i < this.tlsOptions.size(); i += 2) {
				options.addAll(List.of("--" + this.tlsOptions.get(i), this.tlsOptions.get(i + 1)));
			}
		}
		RedisServerProcess server = RedisServerProcess.start(Version.DEFAULT, options.toArray(String[]::new));
		if (tlsPort != 0) {
			this.tlsPorts.put(server.port(), tlsPort);
		}
		return server;
	}

	/** The port a plain-text {@code port} is known by: its TLS port with TLS. */
	private int announced(int port) {
		return this.tlsPorts.getOrDefault(port, port);
	}

	private void startSentinel(int masterPort) {
		int port = RedisServerProcess.freePort();
		List<String> lines = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1"));
		if (!this.tlsOptions.isEmpty()) {
			int tlsPort = RedisServerProcess.freePort();
			this.tlsPorts.put(port, tlsPort);
			lines.add("tls-port " + tlsPort);
			for (int i = 0; i < this.tlsOptions.size(); i += 2) {
				lines.add(this.tlsOptions.get(i) + " " + this.tlsOptions.get(i + 1));
			}
		}
		try {
			Path dir = Files.createTempDirectory("redis-sentinel");
			Path config = dir.resolve("sentinel.conf");
			lines.addAll(List.of("dir " + dir, "logfile " + dir.resolve("sentinel.log"),
					"sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 2",
					"sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
					"sentinel failover-timeout " + MASTER_NAME + " 5000", ""));
			Files.writeString(config, String.join("\n", lines));
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
