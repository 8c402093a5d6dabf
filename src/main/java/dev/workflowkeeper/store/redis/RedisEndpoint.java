package dev.workflowkeeper.store.redis;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import javax.net.ssl.SSLParameters;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.StoreUri;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;

import org.springframework.util.Assert;

/**
 * Where and how to connect to one Redis server: resolved from a {@code redis://} or
 * {@code rediss://} address and the worker's Redis settings. The address's own password
 * and database win; {@code REDIS_PASSWORD} fills in when the address has none and
 * {@code REDIS_DB} applies when it names no database, so that a URL copied from the
 * service's deployment means the same thing here.
 *
 * @param host the host name or IP address (without IPv6 brackets)
 * @param port the port, 6379 when the address names none
 * @param tls whether to connect with TLS ({@code rediss://})
 * @param user the ACL user, or {@code null} for the default user
 * @param password the password, or {@code null} for none
 * @param db the database index
 */
record RedisEndpoint(String host, int port, boolean tls, String user, String password, int db) {

	private static final int DEFAULT_PORT = 6379;

	/**
	 * Resolves the endpoint that an address names. A user-info without a colon
	 * ({@code redis://ops@host}) is a user name, as redis-py reads it: its password then
	 * comes from {@code REDIS_PASSWORD}.
	 */
	static RedisEndpoint of(StoreUri address, KeeperProperties.Redis settings) {
		Assert.isTrue(address.kind() == StoreUri.Kind.REDIS, () -> address.masked() + " is not a Redis address");
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
		String user = null;
		String password = null;
		// the raw form, so that an encoded ':' (%3A) inside a password does not split it
		String userInfo = uri.getRawUserInfo();
		if (userInfo != null) {
			int colon = userInfo.indexOf(':');
			user = decode((colon < 0) ? userInfo : userInfo.substring(0, colon));
			password = (colon < 0) ? null : decode(userInfo.substring(colon + 1));
		}
		if (password == null && settings.password() != null && !settings.password().isEmpty()) {
			password = settings.password();
		}
		String path = uri.getPath();
		int db;
		if (path != null && path.length() > 1) {
			db = Integer.parseInt(path.substring(1));
		}
		else {
			db = (settings.db() != null) ? settings.db() : 0;
		}
		return new RedisEndpoint(host, port, tls, user, password, db);
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
			// without an identification algorithm, Java's TLS accepts a certificate of
			// any host
			SSLParameters parameters = new SSLParameters();
			parameters.setEndpointIdentificationAlgorithm("HTTPS");
			builder.ssl(true).sslParameters(parameters);
		}
		return builder.build();
	}

	@Override
	public String toString() {
		// never the password: endpoints end up in logs and exception messages
		String credentials = ((this.user != null) ? this.user : "") + ((this.password != null) ? ":****" : "");
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
