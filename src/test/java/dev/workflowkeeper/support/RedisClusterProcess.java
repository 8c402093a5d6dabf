package dev.workflowkeeper.support;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;

import dev.workflowkeeper.support.RedisServerProcess.Version;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.params.MigrateParams;

/**
 * A real Redis Cluster for tests: {@code masters} redis-server processes in cluster mode
 * on free ports (their bus ports, port + 10000, free too), each with a replica when
 * asked, assembled without redis-cli (which a fresh machine may lack, and which the
 * shipped 6.2 binary does not come with): {@code CLUSTER ADDSLOTS} splits the 16384 slots
 * in equal ranges, {@code CLUSTER MEET} joins the nodes, {@code CLUSTER REPLICATE}
 * attaches each replica, and every node is polled until it reports
 * {@code cluster_state:ok}. Shard {@code i} is master {@code i} with its replica;
 * {@link #failover} swaps them, {@link #moveSlots} reshards.
 */
public final class RedisClusterProcess implements AutoCloseable {

	private static final int SLOTS = 16384;

	/** Per shard: its master first, then its replica if any. */
	private final List<List<RedisServerProcess>> shards = new ArrayList<>();

	private RedisClusterProcess() {
	}

	/**
	 * Starts and assembles a cluster of {@code masters} masters, each with a replica if
	 * asked.
	 */
	public static RedisClusterProcess start(Version version, int masters, boolean replicas) {
		RedisClusterProcess cluster = new RedisClusterProcess();
		try {
			for (int i = 0; i < masters; i++) {
				List<RedisServerProcess> shard = new ArrayList<>();
				shard.add(startNode(version));
				if (replicas) {
					shard.add(startNode(version));
				}
				cluster.shards.add(shard);
			}
			cluster.assemble();
			return cluster;
		}
		catch (RuntimeException ex) {
			cluster.close();
			throw ex;
		}
	}

	private static RedisServerProcess startNode(Version version) {
		for (int attempt = 0;; attempt++) {
			int port = ThreadLocalRandom.current().nextInt(20_000, 50_000);
			if (!free(port) || !free(port + 10_000)) {
				continue;
			}
			try {
				return RedisServerProcess.startOnPort(version, port, "--cluster-enabled", "yes",
						"--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000");
			}
			catch (IllegalStateException ex) {
				// taken meanwhile by another process
				if (attempt > 10) {
					throw ex;
				}
			}
		}
	}

	private static boolean free(int port) {
		try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
			return true;
		}
		catch (IOException ex) {
			return false;
		}
	}

	private void assemble() {
		int masters = this.shards.size();
		for (int i = 0; i < masters; i++) {
			int from = SLOTS * i / masters;
			int to = SLOTS * (i + 1) / masters - 1;
			try (Jedis jedis = jedis(master(i))) {
				jedis.clusterAddSlots(IntStream.rangeClosed(from, to).toArray());
			}
		}
		try (Jedis first = jedis(master(0))) {
			for (RedisServerProcess node : nodes()) {
				if (node != master(0)) {
					first.clusterMeet("127.0.0.1", node.port());
				}
			}
		}
		await(() -> nodes().stream().allMatch(this::knowsEveryNode), "every node knows every other");
		for (List<RedisServerProcess> shard : this.shards) {
			if (shard.size() > 1) {
				String masterId = id(shard.get(0));
				try (Jedis replica = jedis(shard.get(1))) {
					replica.clusterReplicate(masterId);
				}
			}
		}
		awaitStable();
	}

	/**
	 * Waits until every node reports {@code cluster_state:ok} and every replica is in
	 * sync with its master.
	 */
	public void awaitStable() {
		await(() -> nodes().stream().allMatch((node) -> {
			try (Jedis jedis = jedis(node)) {
				String info = jedis.clusterInfo();
				if (!info.contains("cluster_state:ok") || !knowsEveryNode(node)) {
					return false;
				}
				String replication = jedis.info("replication");
				return replication.contains("role:master") || replication.contains("master_link_status:up");
			}
		}), "cluster_state:ok on every node");
	}

	private boolean knowsEveryNode(RedisServerProcess node) {
		try (Jedis jedis = jedis(node)) {
			String nodes = jedis.clusterNodes();
			return !nodes.contains("handshake")
					&& nodes.lines().filter((line) -> !line.isBlank()).count() == nodes().size();
		}
	}

	/** The address of the first master, as the service would give it. */
	public String uri() {
		return "redis://127.0.0.1:" + master(0).port() + "/0";
	}

	/** The addresses of every master as one seed list: {@code redis://h:p1,h:p2/0}. */
	public String seedsUri() {
		StringBuilder hosts = new StringBuilder();
		for (int i = 0; i < this.shards.size(); i++) {
			hosts.append((i > 0) ? "," : "").append("127.0.0.1:").append(master(i).port());
		}
		return "redis://" + hosts + "/0";
	}

	/** The master of shard {@code i}. */
	public RedisServerProcess master(int i) {
		return this.shards.get(i).get(0);
	}

	/** A client that follows the slots: for loading and checking data. */
	public JedisCluster client() {
		Set<HostAndPort> seeds = new HashSet<>();
		nodes().forEach((node) -> seeds.add(new HostAndPort("127.0.0.1", node.port())));
		return new JedisCluster(seeds);
	}

	/**
	 * Makes the replica of shard {@code i} its master ({@code CLUSTER FAILOVER} sent to
	 * the replica), and waits until the cluster is stable again.
	 */
	public void failover(int i) {
		List<RedisServerProcess> shard = this.shards.get(i);
		if (shard.size() < 2) {
			throw new IllegalStateException("shard " + i + " has no replica to fail over to");
		}
		RedisServerProcess replica = shard.get(1);
		try (Jedis jedis = jedis(replica)) {
			jedis.clusterFailover();
		}
		await(() -> {
			try (Jedis jedis = jedis(replica)) {
				return jedis.info("replication").contains("role:master");
			}
		}, "the replica of shard " + i + " to become master");
		shard.set(1, shard.get(0));
		shard.set(0, replica);
		awaitStable();
	}

	/**
	 * Moves the slots {@code first}…{@code last} with their keys from the master of shard
	 * {@code from} to that of shard {@code to}, as redis-cli's reshard does: IMPORTING,
	 * MIGRATING, MIGRATE of the keys, then the new owner announced to every master.
	 */
	public void moveSlots(int from, int to, int first, int last) {
		String fromId = id(master(from));
		String toId = id(master(to));
		try (Jedis source = jedis(master(from)); Jedis target = jedis(master(to))) {
			for (int slot = first; slot <= last; slot++) {
				target.clusterSetSlotImporting(slot, fromId);
				source.clusterSetSlotMigrating(slot, toId);
				for (List<byte[]> keys = source.clusterGetKeysInSlotBinary(slot, 100); !keys.isEmpty(); keys = source
					.clusterGetKeysInSlotBinary(slot, 100)) {
					source.migrate("127.0.0.1", master(to).port(), 0, 5_000, MigrateParams.migrateParams(),
							keys.toArray(new byte[0][]));
				}
				for (int i = 0; i < this.shards.size(); i++) {
					try (Jedis master = jedis(master(i))) {
						master.clusterSetSlotNode(slot, toId);
					}
				}
			}
		}
		awaitStable();
	}

	private List<RedisServerProcess> nodes() {
		return this.shards.stream().flatMap(List::stream).toList();
	}

	private static String id(RedisServerProcess node) {
		try (Jedis jedis = jedis(node)) {
			return jedis.clusterMyId();
		}
	}

	private static Jedis jedis(RedisServerProcess node) {
		return new Jedis("127.0.0.1", node.port(), 5_000);
	}

	private static void await(BooleanSupplier condition, String what) {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		while (!condition.getAsBoolean()) {
			if (System.nanoTime() > deadline) {
				throw new IllegalStateException("the Redis Cluster did not settle: waited 60 s for " + what);
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while waiting for " + what, ex);
			}
		}
	}

	@Override
	public void close() {
		nodes().forEach(RedisServerProcess::close);
	}

}
