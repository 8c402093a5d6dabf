package dev.workflowkeeper.store.redis;

import java.util.function.Function;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.StoreAccessException;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One Redis server the worker talks to: a connection pool sized by
 * {@code REDIS_MAX_CONNECTIONS}, the server's version, read once at connection, and the
 * translation of every failure into a {@link StoreAccessException}. A standalone Redis is
 * one node; a Cluster would be one per master, each with its own reader.
 * <p>
 * Thread-safe: the pool hands each call its own connection.
 */
final class RedisNode implements AutoCloseable {

	private final JedisPool pool;

	private final RedisErrors errors;

	private final String address;

	private final RedisServerVersion version;

	private final int maxConnections;

	private RedisNode(JedisPool pool, RedisErrors errors, String address) {
		this.pool = pool;
		this.maxConnections = pool.getMaxTotal();
		this.errors = errors;
		this.address = address;
		this.version = execute((jedis) -> RedisServerVersion.fromInfo(jedis.info("server")));
	}

	/**
	 * Connects to the node at once, so that a wrong address or password fails here with
	 * one clear line rather than in the middle of a step.
	 * @param address the address to show in messages, with the password masked
	 * @throws StoreAccessException when the server cannot be reached or refuses the
	 * connection
	 */
	static RedisNode connect(RedisEndpoint endpoint, String address, KeeperProperties.Redis settings) {
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
		JedisPool pool = new JedisPool(poolConfig, new TlsHandshakeSocketFactory(endpoint.hostAndPort(), clientConfig),
				clientConfig);
		try {
			return new RedisNode(pool, new RedisErrors(address, endpoint.password()), address);
		}
		catch (RuntimeException ex) {
			pool.close();
			throw ex;
		}
	}

	/**
	 * Runs {@code action} on a pooled connection. Jedis failures become a
	 * {@link StoreAccessException}; anything else the action throws passes unchanged.
	 */
	<T> T execute(Function<Jedis, T> action) {
		try (Jedis jedis = this.pool.getResource()) {
			return action.apply(jedis);
		}
		catch (JedisException ex) {
			throw this.errors.translate(ex);
		}
	}

	/** The most connections the pool opens at once ({@code REDIS_MAX_CONNECTIONS}). */
	int maxConnections() {
		return this.maxConnections;
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
		this.pool.close();
	}

}
