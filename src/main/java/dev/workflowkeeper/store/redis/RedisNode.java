package dev.workflowkeeper.store.redis;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.pace.PaceMeter;
import dev.workflowkeeper.store.StoreAccessException;

import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.JedisSentinelPool;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.Pool;
import redis.clients.jedis.util.SafeEncoder;

/**
 * One Redis server the worker talks to: a connection pool sized by
 * {@code REDIS_MAX_CONNECTIONS}, the server's version, read once at connection, and the
 * translation of every failure into a {@link StoreAccessException}. A standalone Redis is
 * one node; a Cluster is one per master (see {@link RedisTopology}), each with its own
 * reader. A command that meets a passing trouble (see {@link RedisRetry}) is run again on
 * a fresh connection, within the bounds of {@code keeper.redis.retry.*}.
 * <p>
 * Behind a Sentinel address the node is whichever server is the master: the pool follows
 * {@code +switch-master}, and the first connection to a new master counts as a restart
 * (its {@code run_id} differs), so that a scan starts over there rather than carry a
 * cursor of another server. A connection that still reaches the former master, now a
 * replica, is a passing trouble: the command runs again on the new one.
 * <p>
 * Thread-safe: the pool hands each call its own connection.
 */
final class RedisNode implements AutoCloseable {

	private static final Pattern RUN_ID = Pattern.compile("(?m)^run_id:(\\w+)");

	private static final Pattern ROLE = Pattern.compile("(?m)^role:(\\w+)");

	private final Pool<Jedis> pool;

	private final RedisErrors errors;

	/** The optional commands this node turned out not to run, and their fallbacks. */
	private final RedisCommands commands;

	private final String address;

	private final RedisServerVersion version;

	private final int maxConnections;

	private final RedisRetry retry;

	/** How fast the node is worked; set once, when a job's store opens it. */
	private volatile RedisPace pace;

	/**
	 * The {@code run_id} of the server process, which changes when the server restarts.
	 */
	private volatile String runId;

	/** How many restarts of the server the node has seen. */
	private final AtomicInteger restarts = new AtomicInteger();

	/**
	 * The master whose {@code run_id} the node holds, behind a Sentinel address;
	 * {@code null} otherwise.
	 */
	private volatile HostAndPort master;

	private RedisNode(Pool<Jedis> pool, RedisErrors errors, String address, RedisRetry retry, String user) {
		this.pool = pool;
		this.maxConnections = pool.getMaxTotal();
		this.errors = errors;
		this.address = address;
		this.retry = retry;
		this.commands = new RedisCommands(address, user);
		this.pace = RedisPace.unlimited(Integer.MAX_VALUE, Integer.MAX_VALUE);
		this.master = (pool instanceof JedisSentinelPool sentinels) ? sentinels.getCurrentHostMaster() : null;
		// a server that refuses the connection (a wrong address) fails at once
		String info = execute(this::serverSection, true);
		this.version = RedisServerVersion.fromInfo(info);
		this.runId = runId(info);
	}

	/**
	 * Connects to the node at once, so that a wrong address or password fails here with
	 * one clear line rather than in the middle of a step.
	 * @param address the address to show in messages, with the password masked
	 * @throws StoreAccessException when the server cannot be reached or refuses the
	 * connection
	 */
	static RedisNode connect(RedisEndpoint endpoint, String address, KeeperProperties.Redis settings) {
		return connect(endpoint, address, settings, PaceMeter.UNLIMITED);
	}

	/**
	 * Connects to the node at once, its work paced by {@code meter}'s settings (see
	 * {@link RedisPace}); with a latency budget, its probe connects now and measures the
	 * server alone before any work begins.
	 * @throws StoreAccessException when the server cannot be reached or refuses the
	 * connection
	 */
	static RedisNode connect(RedisEndpoint endpoint, String address, KeeperProperties.Redis settings, PaceMeter meter) {
		JedisPoolConfig poolConfig = new JedisPoolConfig();
		poolConfig.setMaxTotal(settings.maxConnections());
		poolConfig.setMaxIdle(settings.maxConnections());
		poolConfig.setMinIdle(0);
		// a busy pool should fail like a slow server, not block a step forever
		poolConfig.setMaxWait(settings.socketTimeout());
		// several stores may be open at once (source and target): their MBean names would
		// clash
		poolConfig.setJmxEnabled(false);
		JedisClientConfig clientConfig = endpoint.clientConfig(settings);
		Pool<Jedis> pool = endpoint.isSentinel() ? sentinelPool(endpoint, address, settings, poolConfig, clientConfig)
				: new JedisPool(poolConfig, new TlsHandshakeSocketFactory(endpoint.hostAndPort(), clientConfig),
						clientConfig);
		try {
			RedisNode node = new RedisNode(pool, new RedisErrors(address, endpoint.password(), endpoint.user()),
					address, new RedisRetry(settings.retry()), endpoint.user());
			if (meter.settings().limited()) {
				// the scan and the pipelines in flight ahead of it
				node.pace = RedisPace.of(address, meter, settings.pipelineSize(), settings.pipelinesInFlight() + 1,
						settings.pace().probeInterval(),
						() -> new Jedis(new TlsHandshakeSocketFactory(currentServer(pool, endpoint), clientConfig),
								clientConfig));
			}
			return node;
		}
		catch (RuntimeException ex) {
			pool.close();
			throw ex;
		}
	}

	/**
	 * The pool of the master that the Sentinels of {@code endpoint} name; it subscribes
	 * to their {@code +switch-master} and moves to the new master on a failover.
	 * @throws StoreAccessException when no Sentinel answers or none knows the master
	 */
	private static Pool<Jedis> sentinelPool(RedisEndpoint endpoint, String address, KeeperProperties.Redis settings,
			JedisPoolConfig poolConfig, JedisClientConfig clientConfig) {
		try {
			return new JedisSentinelPool(endpoint.master(), endpoint.sentinelSet(), poolConfig, clientConfig,
					endpoint.sentinelClientConfig(settings));
		}
		catch (JedisException ex) {
			String reason = (ex instanceof JedisConnectionException)
					? "no Sentinel answered or none of them knows a master named '" + endpoint.master() + "'"
					: "the Sentinels do not name a master '" + endpoint.master() + "'";
			throw new StoreAccessException("cannot reach Redis at " + address + ": " + reason
					+ ": check the Sentinel addresses, the name after '#' and keeper.redis.sentinel.password");
		}
	}

	/** The server a new connection of {@code pool} goes to: the current master. */
	private static HostAndPort currentServer(Pool<Jedis> pool, RedisEndpoint endpoint) {
		return (pool instanceof JedisSentinelPool sentinels) ? sentinels.getCurrentHostMaster()
				: endpoint.hostAndPort();
	}

	/**
	 * Runs {@code action} on a pooled connection; when it meets a passing trouble, runs
	 * it again, whole, on a fresh connection after a pause, within the retry bounds.
	 * Jedis failures become a {@link StoreAccessException}; anything else the action
	 * throws passes unchanged. The action must be safe to run again: a SCAN of the same
	 * cursor, reads, idempotent writes.
	 */
	<T> T execute(Function<Jedis, T> action) {
		return execute(action, false);
	}

	/**
	 * Runs {@code action}, a round trip that reads or writes {@code keys} keys (a SCAN:
	 * none), as {@link #execute(Function)} does, once the node's pace lets it go.
	 */
	<T> T execute(int keys, Function<Jedis, T> action) {
		try (RedisPace.Permit permit = this.pace.acquire(keys)) {
			return execute(action, false);
		}
	}

	/**
	 * How many keys a round trip may carry now: {@code configured}, or fewer while the
	 * latency budget is tight.
	 */
	int batch(int configured) {
		return this.pace.batch(configured);
	}

	private <T> T execute(Function<Jedis, T> action, boolean connecting) {
		long started = System.nanoTime();
		boolean reconnected = false;
		for (int attempt = 1;; attempt++) {
			try (Jedis jedis = this.pool.getResource()) {
				if (reconnected) {
					checkRestart(jedis);
				}
				checkMaster(jedis);
				return action.apply(jedis);
			}
			catch (JedisException ex) {
				// behind Sentinels a replica answering READONLY is the master of a moment
				// ago
				boolean passing = (RedisRetry.isPassing(ex) || (this.master != null && RedisRetry.isReadOnly(ex)))
						&& !(connecting && RedisRetry.isRefused(ex));
				Duration pause = passing ? this.retry.backoff(attempt, started) : null;
				if (pause == null) {
					throw (attempt == 1) ? this.errors.translate(ex) : this.errors.translate(ex, attempt, started);
				}
				reconnected = reconnected || RedisRetry.isConnectionLoss(ex) || RedisRetry.isReadOnly(ex);
				if (RedisRetry.isConnectionLoss(ex) || RedisRetry.isReadOnly(ex)) {
					// a dropped connection (a restart, CLIENT KILL) often took the idle
					// ones with it: do not try them one by one
					this.pool.clear();
				}
				this.retry.retrying(this.errors.translate(ex).getMessage(), attempt, pause);
				pause(pause, ex);
			}
		}
	}

	private void pause(Duration pause, JedisException failure) {
		try {
			Thread.sleep(pause.toMillis());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw this.errors.translate(failure);
		}
	}

	/**
	 * Notes a restart of the server behind a lost connection: SCAN cursors of the process
	 * before do not hold in the new one.
	 */
	private void checkRestart(Jedis jedis) {
		String current = runId(serverSection(jedis));
		if (current != null && !current.equals(this.runId)) {
			this.runId = current;
			this.restarts.incrementAndGet();
		}
	}

	/**
	 * Behind Sentinels, notes the first connection to a new master: a server with another
	 * {@code run_id} holds none of the cursors of the one before. A connection that still
	 * reaches a server that is no longer the master fails as a lost one, to be tried
	 * again.
	 */
	private void checkMaster(Jedis jedis) {
		if (!(this.pool instanceof JedisSentinelPool sentinels)) {
			return;
		}
		HostAndPort current = sentinels.getCurrentHostMaster();
		if (current.equals(this.master)) {
			return;
		}
		synchronized (this) {
			if (current.equals(this.master)) {
				return;
			}
			// INFO rather than ROLE: the worker needs INFO anyway, and ACLs that allow it
			// may not allow ROLE
			Matcher role = ROLE.matcher(jedis.info("replication"));
			String name = role.find() ? role.group(1) : "unknown";
			if (!"master".equals(name)) {
				throw new JedisConnectionException(
						"the connection reaches a former master of " + this.address + ", now a " + name);
			}
			checkRestart(jedis);
			this.master = current;
		}
	}

	/**
	 * {@code INFO server}; without {@code INFO} (refused, renamed) only the version, from
	 * {@code HELLO} when the user may send it, else none: then the version is unknown and
	 * restarts go unseen.
	 */
	private String serverSection(Jedis jedis) {
		if (this.commands.has(RedisCommands.Command.INFO)) {
			try {
				return jedis.info("server");
			}
			catch (JedisDataException ex) {
				if (!this.commands.missing(RedisCommands.Command.INFO, ex)) {
					throw ex;
				}
			}
		}
		try {
			List<?> hello = (List<?>) jedis.sendCommand(Protocol.Command.HELLO);
			for (int i = 0; i + 1 < hello.size(); i += 2) {
				if ("version".equals(SafeEncoder.encodeObject(hello.get(i)))) {
					return "redis_version:" + SafeEncoder.encodeObject(hello.get(i + 1)) + "\n";
				}
			}
		}
		catch (JedisDataException ex) {
			if (!RedisCommands.isMissingCommand(ex)) {
				throw ex;
			}
		}
		return "";
	}

	private static String runId(String info) {
		Matcher matcher = RUN_ID.matcher(info);
		return matcher.find() ? matcher.group(1) : null;
	}

	/** The {@code run_id} of the server process; {@code null} when it tells none. */
	String runId() {
		return this.runId;
	}

	/** How many restarts of the server this node has seen since it connected. */
	int restarts() {
		return this.restarts.get();
	}

	/** How many times a command has been run again on this node. */
	long retries() {
		return this.retry.retries();
	}

	/** The most connections the pool opens at once ({@code REDIS_MAX_CONNECTIONS}). */
	int maxConnections() {
		return this.maxConnections;
	}

	/** The optional commands this node turned out not to run. */
	RedisCommands commands() {
		return this.commands;
	}

	/**
	 * Whether expiries are read with {@code PEXPIRETIME}: Redis 7, unless the user may
	 * not send it.
	 */
	boolean hasPexpireTime() {
		return this.version.hasPexpireTime() && this.commands.has(RedisCommands.Command.PEXPIRETIME);
	}

	RedisServerVersion version() {
		return this.version;
	}

	/** The node's address with the password masked. */
	String address() {
		return this.address;
	}

	@Override
	public void close() {
		this.pace.close();
		this.pool.close();
	}

}
