package dev.workflowkeeper.store.redis;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.StoreUri;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

import org.springframework.util.Assert;

/**
 * Where and how to connect to one Redis server: resolved from a {@code redis://},
 * {@code rediss://} or Sentinel address and the worker's Redis settings. The address's
 * own password and database win; {@code REDIS_PASSWORD} fills in when the address has
 * none and {@code REDIS_DB} applies when it names no database, so that a URL copied from
 * the service's deployment means the same thing here.
 *
 * @param host the host name or IP address (without IPv6 brackets)
 * @param port the port, 6379 when the address names none
 * @param tls whether to connect with TLS ({@code rediss://})
 * @param user the ACL user, or {@code null} for the default user
 * @param password the password, or {@code null} for none
 * @param db the database index
 * @param sentinels the Sentinels that name the master, empty for a server addressed
 * directly; then {@code host} and {@code port} are the first Sentinel's
 * @param master the name under which the Sentinels monitor the master, or {@code null}
 */
record RedisEndpoint(String host, int port, boolean tls, String user, String password, int db,
		List<HostAndPort> sentinels, String master) {

	private static final int DEFAULT_PORT = 6379;

	RedisEndpoint {
		sentinels = List.copyOf(sentinels);
	}

	RedisEndpoint(String host, int port, boolean tls, String user, String password, int db) {
		this(host, port, tls, user, password, db, List.of(), null);
	}

	/**
	 * Resolves the endpoint that an address names. A user-info without a colon
	 * ({@code redis://ops@host}) is a user name, as redis-py reads it: its password then
	 * comes from {@code REDIS_PASSWORD}.
	 */
	static RedisEndpoint of(StoreUri address, KeeperProperties.Redis settings) {
		Assert.isTrue(address.kind() == StoreUri.Kind.REDIS, () -> address.masked() + " is not a Redis address");
		if (address.isSentinel()) {
			return ofSentinel(address.sentinel(), settings);
		}
		return of(address, address.redisUri(), settings);
	}

	/**
	 * Resolves the endpoint of one seed of an address that names several
	 * ({@code redis://h1:p1,h2:p2}), as {@link #of(StoreUri, KeeperProperties.Redis)}.
	 */
	static RedisEndpoint of(StoreUri address, URI uri, KeeperProperties.Redis settings) {
		String host = uri.getHost();
		if (host.startsWith("[") && host.endsWith("]")) {
			host = host.substring(1, host.length() - 1);
		}
		int port = (uri.getPort() != -1) ? uri.getPort() : DEFAULT_PORT;
		boolean tls = "rediss".equalsIgnoreCase(uri.getScheme());
		// the raw form, so that an encoded ':' (%3A) inside a password does not split it
		String[] credentials = credentials(uri.getRawUserInfo(), settings);
		String path = uri.getPath();
		int db;
		if (path != null && path.length() > 1) {
			db = Integer.parseInt(path.substring(1));
		}
		else {
			db = (settings.db() != null) ? settings.db() : 0;
		}
		return new RedisEndpoint(host, port, tls, credentials[0], credentials[1], db);
	}

	/**
	 * The user and the password of a raw user-info ({@code user:password}, {@code user}
	 * or none); {@code REDIS_PASSWORD} when it names no password.
	 */
	private static String[] credentials(String userInfo, KeeperProperties.Redis settings) {
		String user = null;
		String password = null;
		if (userInfo != null) {
			int colon = userInfo.indexOf(':');
			user = decode((colon < 0) ? userInfo : userInfo.substring(0, colon));
			password = (colon < 0) ? null : decode(userInfo.substring(colon + 1));
		}
		if (password == null && settings.password() != null && !settings.password().isEmpty()) {
			password = settings.password();
		}
		return new String[] { user, password };
	}

	private static RedisEndpoint ofSentinel(StoreUri.Sentinel address, KeeperProperties.Redis settings) {
		String[] credentials = credentials(address.rawUserInfo(), settings);
		int db = (address.db() != null) ? address.db() : ((settings.db() != null) ? settings.db() : 0);
		List<HostAndPort> sentinels = address.sentinels()
			.stream()
			.map((sentinel) -> new HostAndPort(sentinel.host(), sentinel.port()))
			.toList();
		return new RedisEndpoint(sentinels.get(0).getHost(), sentinels.get(0).getPort(), address.tls(), credentials[0],
				credentials[1], db, sentinels, address.master());
	}

	/** Whether the master is found through Sentinels. */
	boolean isSentinel() {
		return this.master != null;
	}

	/** The Sentinels, in the order of the address. */
	Set<HostAndPort> sentinelSet() {
		return new LinkedHashSet<>(this.sentinels);
	}

	/**
	 * The same credentials, TLS and timeouts at another node of a Cluster, database 0
	 * (the only one a Cluster has).
	 */
	RedisEndpoint at(String host, int port) {
		return new RedisEndpoint(host, port, this.tls, this.user, this.password, 0);
	}

	/** The node's address for messages, without credentials. */
	String address() {
		return (this.tls ? "rediss://" : "redis://") + this.host + ":" + this.port;
	}

	HostAndPort hostAndPort() {
		return new HostAndPort(this.host, this.port);
	}

	/**
	 * The Jedis client configuration: credentials, database, timeouts and TLS with host
	 * name verification.
	 */
	JedisClientConfig clientConfig(KeeperProperties.Redis settings) {
		DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
			.database(this.db)
			.connectionTimeoutMillis(toMillis(settings.connectTimeout()))
			.socketTimeoutMillis(toMillis(settings.socketTimeout()))
			.clientName("workflow-keeper");
		if (this.user != null) {
			builder.user(this.user);
		}
		if (this.password != null) {
			builder.password(this.password);
		}
		if (this.tls) {
			RedisTls.configure(builder, settings.tls());
		}
		return builder.build();
	}

	/**
	 * The Jedis client configuration of the Sentinels: timeouts, TLS as for the master,
	 * and the Sentinels' own credentials ({@code keeper.redis.sentinel.*}), never the
	 * master's.
	 */
	JedisClientConfig sentinelClientConfig(KeeperProperties.Redis settings) {
		DefaultJedisClientConfig.Builder builder = DefaultJedisClientConfig.builder()
			.connectionTimeoutMillis(toMillis(settings.connectTimeout()))
			.socketTimeoutMillis(toMillis(settings.socketTimeout()))
			.clientName("workflow-keeper");
		KeeperProperties.Redis.Sentinel sentinel = settings.sentinel();
		if (sentinel.user() != null && !sentinel.user().isEmpty()) {
			builder.user(sentinel.user());
		}
		if (sentinel.password() != null && !sentinel.password().isEmpty()) {
			builder.password(sentinel.password());
		}
		if (this.tls) {
			RedisTls.configure(builder, settings.tls());
		}
		return builder.build();
	}

	@Override
	public String toString() {
		// never the password: endpoints end up in logs and exception messages
		String credentials = ((this.user != null) ? this.user : "") + ((this.password != null) ? ":****" : "");
		if (isSentinel()) {
			return (this.tls ? "rediss-sentinel://" : "redis-sentinel://")
					+ (credentials.isEmpty() ? "" : credentials + "@")
					+ this.sentinels.stream().map(HostAndPort::toString).collect(Collectors.joining(",")) + "/"
					+ this.db + "#" + this.master;
		}
		return (this.tls ? "rediss://" : "redis://") + (credentials.isEmpty() ? "" : credentials + "@") + this.host
				+ ":" + this.port + "/" + this.db;
	}

	private static String decode(String text) {
		return text.isEmpty() ? null : URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
	}

	private static int toMillis(Duration duration) {
		return (int) Math.min(Integer.MAX_VALUE, duration.toMillis());
	}

}
