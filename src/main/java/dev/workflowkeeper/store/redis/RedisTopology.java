package dev.workflowkeeper.store.redis;

import java.net.URI;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.pace.PaceMeter;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreUri;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.resps.ClusterShardInfo;
import redis.clients.jedis.resps.ClusterShardNodeInfo;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.clients.jedis.util.SafeEncoder;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The masters the worker talks to behind one Redis address: a standalone server is one
 * master owning every key; a Redis Cluster (detected by {@code INFO cluster}) is one
 * {@link RedisNode} per master, discovered by {@code CLUSTER SHARDS} (Redis 7), else
 * {@code CLUSTER SLOTS} (6.2), each with its own pool and pace, the seed's credentials,
 * TLS and timeouts, database 0. Several seeds may be given ({@code redis://h1:p1,h2:p2});
 * the first that answers is asked.
 * <p>
 * Each master's share is a {@link Shard}, named by its slot ranges ({@code 0-5460}), a
 * name that holds across restarts of the worker and failovers, unlike host:port. The slot
 * table is read at connection and again on {@link #refresh} (a {@code MOVED} reply), and
 * every refresh that changes it counts one {@link #generation}.
 * <p>
 * Thread-safe: the layout is replaced whole on a refresh.
 */
final class RedisTopology implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisTopology.class);

	static final int SLOTS = 16384;

	private final KeeperProperties.Redis settings;

	private final PaceMeter meter;

	private final RedisEndpoint seed;

	private final boolean cluster;

	/** Every node connected so far, by host:port; closed with the topology. */
	private final Map<String, RedisNode> nodes = new ConcurrentHashMap<>();

	private volatile Layout layout;

	/** When the slot table was last read, in {@link System#nanoTime()}. */
	private volatile long refreshedAt;

	private static final long REFRESH_INTERVAL_NANOS = 1_000_000_000L;

	private RedisTopology(KeeperProperties.Redis settings, PaceMeter meter, RedisEndpoint seed, RedisNode first,
			boolean cluster) {
		this.settings = settings;
		this.meter = meter;
		this.seed = seed;
		this.cluster = cluster;
		this.nodes.put(key(seed.host(), seed.port()), first);
	}

	/**
	 * Connects to the first seed of {@code uri} that answers and, when it is a Cluster
	 * node, to every master.
	 * @throws StoreAccessException when no seed can be reached, or the cluster tells no
	 * master
	 */
	static RedisTopology connect(StoreUri uri, KeeperProperties.Redis settings, PaceMeter meter) {
		if (uri.isSentinel()) {
			// the master the Sentinels name: one server at a time, never a Cluster node
			RedisEndpoint endpoint = RedisEndpoint.of(uri, settings);
			RedisNode node = RedisNode.connect(endpoint, uri.masked(), settings, meter);
			RedisTopology topology = new RedisTopology(settings, meter, endpoint, node, false);
			topology.layout = Layout.standalone(node);
			return topology;
		}
		List<URI> seeds = uri.redisSeeds();
		StoreAccessException failure = null;
		for (URI seedUri : seeds) {
			RedisEndpoint endpoint = RedisEndpoint.of(uri, seedUri, settings);
			RedisNode node;
			try {
				node = RedisNode.connect(endpoint, (seeds.size() == 1) ? uri.masked() : endpoint.address(), settings,
						meter);
			}
			catch (StoreAccessException ex) {
				failure = ex;
				continue;
			}
			try {
				boolean cluster = node.execute((jedis) -> isClusterNode(node, jedis));
				RedisTopology topology = new RedisTopology(settings, meter, endpoint, node, cluster);
				if (cluster) {
					topology.refresh();
				}
				else {
					topology.layout = Layout.standalone(node);
				}
				return topology;
			}
			catch (RuntimeException ex) {
				node.close();
				throw ex;
			}
		}
		throw Objects.requireNonNull(failure);
	}

	/**
	 * Whether the node runs in cluster mode: {@code INFO cluster} tells; without
	 * {@code INFO} for the user, {@code CLUSTER SLOTS}, which a server without cluster
	 * mode refuses; when both are refused the node is taken for one server, with a
	 * warning.
	 */
	private static boolean isClusterNode(RedisNode node, Jedis jedis) {
		RedisCommands commands = node.commands();
		if (commands.has(RedisCommands.Command.INFO)) {
			try {
				return jedis.info("cluster").contains("cluster_enabled:1");
			}
			catch (JedisDataException ex) {
				if (!commands.missing(RedisCommands.Command.INFO, ex)) {
					throw ex;
				}
			}
		}
		try {
			jedis.clusterSlots();
			return true;
		}
		catch (JedisDataException ex) {
			if (String.valueOf(ex.getMessage()).contains("cluster support disabled")) {
				return false;
			}
			if (!RedisCommands.isMissingCommand(ex)) {
				throw ex;
			}
			logger.warn("Cannot tell whether Redis at " + node.address()
					+ " is a node of a Redis Cluster (INFO and CLUSTER SLOTS refused to the user): taken for one"
					+ " server; on a Cluster grant +info or +cluster|slots, or the jobs see one master only");
			return false;
		}
	}

	/** Whether this is a Redis Cluster. */
	boolean cluster() {
		return this.cluster;
	}

	/** The masters and their slots, in slot order; a standalone server is one. */
	List<Shard> shards() {
		return this.layout.shards;
	}

	/** The node the seed address names (for a standalone server, the server). */
	RedisNode seed() {
		return this.nodes.get(key(this.seed.host(), this.seed.port()));
	}

	/** Counts the refreshes that changed the slot table. */
	int generation() {
		return this.layout.generation;
	}

	/** The master that owns {@code key} as last known. */
	RedisNode owner(byte[] key) {
		Layout current = this.layout;
		return (current.owners == null) ? current.shards.get(0).node() : current.owners[JedisClusterCRC16.getSlot(key)];
	}

	/**
	 * The master that owns {@code key}, to write it.
	 * @throws StoreAccessException when no master serves its slot
	 */
	RedisNode writeOwner(byte[] key) {
		RedisNode owner = owner(key);
		if (owner == null) {
			throw new StoreAccessException("no master of the Redis Cluster at " + seed().address() + " serves slot "
					+ JedisClusterCRC16.getSlot(key) + ": run the same command again once every slot has a master");
		}
		return owner;
	}

	/**
	 * The slot ranges {@code node} owns, as known at most a second ago (read again when
	 * older); empty when none.
	 */
	String slotsOf(RedisNode node) {
		if (this.cluster && System.nanoTime() - this.refreshedAt > REFRESH_INTERVAL_NANOS) {
			refresh();
		}
		for (Shard shard : this.layout.shards) {
			if (shard.node() == node) {
				return shard.name();
			}
		}
		return "";
	}

	/**
	 * Whether the slot table differs from the one read at connection (a failover, a
	 * resharding since), once read again now.
	 */
	boolean changedSinceConnect() {
		refresh();
		return this.layout.generation > 0;
	}

	/** The slot table as last known, for telling whether it changed: ranges and nodes. */
	String describe() {
		StringBuilder text = new StringBuilder();
		for (Shard shard : this.layout.shards) {
			text.append((text.length() > 0) ? " " : "").append(shard.name()).append('@').append(shard.node().address());
		}
		return text.toString();
	}

	/**
	 * The node at {@code target} (as a redirection names it), connected if new.
	 */
	RedisNode node(HostAndPort target) {
		return this.nodes.computeIfAbsent(key(target.getHost(), target.getPort()),
				(k) -> connect(target.getHost(), target.getPort()));
	}

	/**
	 * Reads the slot table again from a master that answers; a no-op for a standalone
	 * server.
	 * @throws StoreAccessException when no master answers
	 */
	synchronized void refresh() {
		if (!this.cluster) {
			return;
		}
		StoreAccessException failure = null;
		List<RedisNode> asked = new ArrayList<>();
		if (this.layout != null) {
			this.layout.shards.forEach((shard) -> asked.add(shard.node()));
		}
		asked.add(seed());
		for (RedisNode node : asked) {
			Map<String, List<int[]>> masters;
			try {
				masters = node.execute((jedis) -> masters(jedis, this.seed.tls()));
			}
			catch (StoreAccessException ex) {
				failure = ex;
				continue;
			}
			this.refreshedAt = System.nanoTime();
			Layout next = layout(masters);
			Layout before = this.layout;
			this.layout = (before != null && before.describe().equals(next.describe())) ? before
					: next.generation((before != null) ? before.generation + 1 : 0);
			return;
		}
		throw Objects.requireNonNull(failure);
	}

	private Layout layout(Map<String, List<int[]>> masters) {
		if (masters.isEmpty()) {
			throw new StoreAccessException("the Redis Cluster at " + seed().address()
					+ " tells no master with slots: assign its slots (CLUSTER ADDSLOTS) before running jobs on it");
		}
		RedisNode[] owners = new RedisNode[SLOTS];
		int[] served = { 0 };
		List<Shard> shards = new ArrayList<>();
		masters.forEach((hostAndPort, ranges) -> {
			int colon = hostAndPort.lastIndexOf(':');
			RedisNode node = node(new HostAndPort(hostAndPort.substring(0, colon),
					Integer.parseInt(hostAndPort.substring(colon + 1))));
			ranges.sort(Comparator.comparingInt((int[] range) -> range[0]));
			StringBuilder name = new StringBuilder();
			for (int[] range : ranges) {
				for (int slot = range[0]; slot <= range[1]; slot++) {
					owners[slot] = node;
				}
				served[0] += range[1] - range[0] + 1;
				name.append((name.length() > 0) ? "," : "").append(range[0]).append('-').append(range[1]);
			}
			shards.add(new Shard(name.toString(), node, ranges.get(0)[0]));
		});
		if (served[0] < SLOTS) {
			// its keys would be missed by every scan
			throw new StoreAccessException(
					"the Redis Cluster at " + seed().address() + " has no master for " + (SLOTS - served[0])
							+ " of its 16384 slots (see CLUSTER INFO): run the job once every slot" + " has a master");
		}
		shards.sort(Comparator.comparingInt(Shard::firstSlot));
		return new Layout(List.copyOf(shards), owners, 0);
	}

	/**
	 * The masters with slots, as host:port, and their slot ranges: {@code CLUSTER SHARDS}
	 * where the server knows it (7.0), else {@code CLUSTER SLOTS}.
	 */
	private static Map<String, List<int[]>> masters(Jedis jedis, boolean tls) {
		Map<String, List<int[]>> masters = new TreeMap<>();
		List<ClusterShardInfo> shards;
		try {
			shards = jedis.clusterShards();
		}
		catch (JedisDataException ex) {
			return mastersBySlots(jedis);
		}
		for (ClusterShardInfo shard : shards) {
			List<List<Long>> slots = shard.getSlots();
			if (slots == null || slots.isEmpty()) {
				continue;
			}
			for (ClusterShardNodeInfo node : shard.getNodes()) {
				if ("master".equals(node.getRole()) && !"fail".equals(node.getHealth())) {
					String host = (node.getEndpoint() != null && !node.getEndpoint().isEmpty()
							&& !"?".equals(node.getEndpoint())) ? node.getEndpoint() : node.getIp();
					// a TLS-only node tells its tls-port alone
					Long port = (tls && node.getTlsPort() != null || node.getPort() == null) ? node.getTlsPort()
							: node.getPort();
					List<int[]> ranges = masters.computeIfAbsent(key(host, port.intValue()), (k) -> new ArrayList<>());
					for (List<Long> range : slots) {
						ranges.add(new int[] { range.get(0).intValue(), range.get(1).intValue() });
					}
				}
			}
		}
		return masters;
	}

	@SuppressWarnings("unchecked")
	private static Map<String, List<int[]>> mastersBySlots(Jedis jedis) {
		Map<String, List<int[]>> masters = new TreeMap<>();
		for (Object entry : jedis.clusterSlots()) {
			List<Object> range = (List<Object>) entry;
			List<Object> master = (List<Object>) range.get(2);
			String host = SafeEncoder.encode((byte[]) master.get(0));
			int port = ((Long) master.get(1)).intValue();
			masters.computeIfAbsent(key(host, port), (k) -> new ArrayList<>())
				.add(new int[] { ((Long) range.get(0)).intValue(), ((Long) range.get(1)).intValue() });
		}
		return masters;
	}

	private RedisNode connect(String host, int port) {
		RedisEndpoint endpoint = this.seed.at(host, port);
		return RedisNode.connect(endpoint, endpoint.address(), this.settings, this.meter);
	}

	private static String key(String host, int port) {
		return host + ":" + port;
	}

	/** The retries of every node, summed. */
	long retries() {
		return this.nodes.values().stream().mapToLong(RedisNode::retries).sum();
	}

	@Override
	public void close() {
		this.nodes.values().forEach(RedisNode::close);
	}

	/**
	 * One master and the slots it owns.
	 *
	 * @param name the slot ranges, as {@code 0-5460} or {@code 0-99,200-5460}; for a
	 * standalone server, empty
	 * @param node the master
	 * @param firstSlot the first slot it owns, for ordering
	 */
	record Shard(String name, RedisNode node, int firstSlot) {

	}

	/** The slot table: each slot's master, or none for a standalone server. */
	private record Layout(List<Shard> shards, RedisNode[] owners, int generation) {

		static Layout standalone(RedisNode node) {
			return new Layout(List.of(new Shard("", node, 0)), null, 0);
		}

		Layout generation(int generation) {
			return new Layout(this.shards, this.owners, generation);
		}

		String describe() {
			Map<String, String> text = new LinkedHashMap<>();
			this.shards.forEach((shard) -> text.put(shard.name(), shard.node().address()));
			return text.toString();
		}

	}

}
