package dev.workflowkeeper.support;

import dev.workflowkeeper.support.RedisServerProcess.Version;

import redis.clients.jedis.Jedis;

/**
 * One database of a redis-server that the {@link RedisServerExtension} shares across the
 * test JVM, held by one test class and emptied before each of its tests. Only the
 * database is the class's: the server, its configuration, scripts, ACL users and
 * statistics are everyone's.
 */
public final class RedisDatabase {

	private final Version requested;

	private final String version;

	private final int port;

	private final int db;

	RedisDatabase(Version requested, String version, int port, int db) {
		this.requested = requested;
		this.version = version;
		this.port = port;
		this.db = db;
	}

	/** The version the test asked for. */
	public Version requested() {
		return this.requested;
	}

	/**
	 * The version the server reports ({@code 7.0.15}, {@code 6.2.6}): for
	 * {@link Version#DEFAULT} a 6.2 when no redis-server is installed.
	 */
	public String version() {
		return this.version;
	}

	/**
	 * Whether the server is Redis 7 or later, with {@code PEXPIRETIME} and the expire
	 * options.
	 */
	public boolean isRedis7() {
		return Integer.parseInt(this.version.substring(0, this.version.indexOf('.'))) >= 7;
	}

	public int port() {
		return this.port;
	}

	/** The database's number on the server. */
	public int db() {
		return this.db;
	}

	/** The store address of this database: {@code redis://127.0.0.1:port/db}. */
	public String uri() {
		return "redis://127.0.0.1:" + this.port + "/" + this.db;
	}

	/** A connection with this database selected; the caller closes it. */
	public Jedis jedis() {
		Jedis jedis = new Jedis("127.0.0.1", this.port);
		jedis.select(this.db);
		return jedis;
	}

	/** Deletes every key of this database, and nothing else of the server. */
	public void flush() {
		try (Jedis jedis = jedis()) {
			jedis.flushDB();
		}
	}

	@Override
	public String toString() {
		return "Redis " + this.version + " db " + this.db + " on port " + this.port;
	}

}
