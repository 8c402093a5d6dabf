package dev.workflowkeeper.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The address of a workflow store, as given on the command line or in configuration:
 * {@code redis://[user:password@]host:port/db}, {@code rediss://…} (TLS), several seed
 * nodes of a Redis Cluster as {@code redis://host1:port1,host2:port2},
 * {@code redis-sentinel://[user:password@]host:port[,host:port…][/db]#master} (a master
 * that Redis Sentinels name, as Lettuce and Spring write it; the credentials are the
 * master's), {@code rediss-sentinel://…} (the same over TLS), {@code snapshot:PATH} or
 * {@code memory:}. A Sentinel address is of kind {@link Kind#REDIS}: behind it is one
 * Redis server at a time.
 */
public record StoreUri(Kind kind, String value) {

	private static final String SENTINEL = "redis-sentinel://";

	private static final String SENTINEL_TLS = "rediss-sentinel://";

	/** scheme://, user-info@, the hosts (several with commas), the rest. */
	private static final Pattern SEEDS = Pattern.compile("(rediss?://)([^@/]*@)?([^/?#]*)(.*)");

	/** The kinds of store the worker knows. */
	public enum Kind {

		REDIS, SNAPSHOT, MEMORY

	}

	/**
	 * Parses a store address.
	 * @throws IllegalArgumentException with a one-line message naming what is wrong
	 */
	public static StoreUri parse(String text) {
		if (text == null || text.isBlank()) {
			throw new IllegalArgumentException(
					"empty store address: expected redis://host:port/db, rediss://…, snapshot:PATH or memory:");
		}
		String trimmed = text.trim();
		if (trimmed.startsWith(SENTINEL) || trimmed.startsWith(SENTINEL_TLS)) {
			Sentinel.parse(trimmed);
			return new StoreUri(Kind.REDIS, trimmed);
		}
		if (trimmed.startsWith("redis://") || trimmed.startsWith("rediss://")) {
			for (URI uri : seeds(trimmed)) {
				if (uri.getHost() == null) {
					throw new IllegalArgumentException("store address " + mask(trimmed) + " names no host");
				}
			}
			URI uri = toUri(firstSeed(trimmed));
			String path = uri.getPath();
			if (path != null && !path.isEmpty() && !path.equals("/") && !path.substring(1).matches("\\d+")) {
				throw new IllegalArgumentException("store address " + mask(trimmed)
						+ ": the database must be a number, as in redis://host:6379/0");
			}
			return new StoreUri(Kind.REDIS, trimmed);
		}
		if (trimmed.startsWith("snapshot:")) {
			String path = trimmed.substring("snapshot:".length());
			if (path.isBlank()) {
				throw new IllegalArgumentException("store address snapshot: names no file: expected snapshot:PATH");
			}
			return new StoreUri(Kind.SNAPSHOT, trimmed);
		}
		if (trimmed.equals("memory:") || trimmed.equals("memory")) {
			return new StoreUri(Kind.MEMORY, "memory:");
		}
		throw new IllegalArgumentException("unknown store address '" + mask(trimmed)
				+ "': expected redis://host:port/db, rediss://…, snapshot:PATH or memory:");
	}

	/** Whether the address names a master through its Sentinels. */
	public boolean isSentinel() {
		return this.kind == Kind.REDIS && (this.value.startsWith(SENTINEL) || this.value.startsWith(SENTINEL_TLS));
	}

	/** The parts of a Sentinel address; only when {@link #isSentinel()}. */
	public Sentinel sentinel() {
		return Sentinel.parse(this.value);
	}

	/**
	 * The Redis address as a URI; only for {@link Kind#REDIS} addresses that are not
	 * {@link #isSentinel() Sentinel} ones. Of an address with several seeds, the first.
	 */
	public URI redisUri() {
		return toUri(firstSeed(this.value));
	}

	/**
	 * One URI per seed node of a Redis address: {@code redis://user:pw@h1:p1,h2:p2/0}
	 * names two, with the same scheme, credentials and database; only for
	 * {@link Kind#REDIS}.
	 */
	public List<URI> redisSeeds() {
		return seeds(this.value);
	}

	private static List<URI> seeds(String text) {
		Matcher matcher = SEEDS.matcher(text);
		if (!matcher.matches() || !matcher.group(3).contains(",")) {
			return List.of(toUri(text));
		}
		List<URI> seeds = new ArrayList<>();
		for (String host : matcher.group(3).split(",")) {
			seeds.add(toUri(matcher.group(1) + (matcher.group(2) != null ? matcher.group(2) : "") + host.trim()
					+ matcher.group(4)));
		}
		return seeds;
	}

	private static String firstSeed(String text) {
		return seeds(text).get(0).toString();
	}

	/** The snapshot file; only for {@link Kind#SNAPSHOT}. */
	public Path snapshotPath() {
		return Path.of(this.value.substring("snapshot:".length()));
	}

	/** The address with any password replaced by {@code ****}. */
	public String masked() {
		return mask(this.value);
	}

	@Override
	public String toString() {
		return masked();
	}

	/**
	 * Replaces the password of a {@code scheme://user:password@host} address by
	 * {@code ****}.
	 */
	public static String mask(String address) {
		if (address == null) {
			return null;
		}
		return address.replaceAll("(?<=://)([^/@:]*):[^/@]*@", "$1:****@").replaceAll("(?<=://)([^/@:]+)@", "****@");
	}

	/**
	 * The parts of a {@code redis-sentinel://} or {@code rediss-sentinel://} address.
	 *
	 * @param tls whether to speak TLS to the Sentinels and the master
	 * @param rawUserInfo the master's user and password, still URL-encoded, or
	 * {@code null}
	 * @param sentinels the Sentinels, {@code host:port} (26379 when the address names no
	 * port), IPv6 hosts without brackets
	 * @param db the database, or {@code null} when the address names none
	 * @param master the name under which the Sentinels monitor the master
	 */
	public record Sentinel(boolean tls, String rawUserInfo, List<HostPort> sentinels, Integer db, String master) {

		private static final int DEFAULT_PORT = 26379;

		static Sentinel parse(String address) {
			boolean tls = address.startsWith(SENTINEL_TLS);
			String rest = address.substring((tls ? SENTINEL_TLS : SENTINEL).length());
			int hash = rest.indexOf('#');
			String master = (hash < 0) ? "" : rest.substring(hash + 1);
			if (master.isBlank()) {
				throw new IllegalArgumentException("store address " + mask(address)
						+ " names no master: end it with #NAME, the name the Sentinels monitor (as in redis-sentinel://host:26379/0#mymaster)");
			}
			rest = rest.substring(0, hash);
			int at = rest.lastIndexOf('@');
			String userInfo = (at < 0) ? null : rest.substring(0, at);
			rest = rest.substring(at + 1);
			int slash = rest.indexOf('/');
			String hosts = (slash < 0) ? rest : rest.substring(0, slash);
			String path = (slash < 0) ? "" : rest.substring(slash + 1);
			Integer db = null;
			if (!path.isEmpty()) {
				if (!path.matches("\\d{1,5}")) {
					throw new IllegalArgumentException("store address " + mask(address)
							+ ": the database must be a number, as in redis-sentinel://host:26379/0#mymaster");
				}
				db = Integer.parseInt(path);
			}
			List<HostPort> sentinels = new ArrayList<>();
			for (String hostPort : hosts.split(",", -1)) {
				sentinels.add(HostPort.parse(hostPort.trim(), DEFAULT_PORT, address));
			}
			return new Sentinel(tls, userInfo, List.copyOf(sentinels), db, master);
		}

	}

	/**
	 * A host and port of an address.
	 *
	 * @param host the host name or IP address, IPv6 without brackets
	 * @param port the port
	 */
	public record HostPort(String host, int port) {

		static HostPort parse(String text, int defaultPort, String address) {
			String host = text;
			String port = null;
			if (text.startsWith("[")) {
				int close = text.indexOf(']');
				if (close > 0) {
					host = text.substring(1, close);
					String after = text.substring(close + 1);
					port = after.startsWith(":") ? after.substring(1) : (after.isEmpty() ? null : after);
				}
			}
			else if (text.indexOf(':') >= 0) {
				host = text.substring(0, text.lastIndexOf(':'));
				port = text.substring(text.lastIndexOf(':') + 1);
			}
			if (host.isEmpty()) {
				throw new IllegalArgumentException(
						"store address " + mask(address) + " names a Sentinel without a host");
			}
			if (port != null && !port.matches("\\d{1,5}")) {
				throw new IllegalArgumentException(
						"store address " + mask(address) + ": the port of Sentinel " + host + " must be a number");
			}
			return new HostPort(host, (port != null) ? Integer.parseInt(port) : defaultPort);
		}

		@Override
		public String toString() {
			return (this.host.indexOf(':') >= 0) ? "[" + this.host + "]:" + this.port : this.host + ":" + this.port;
		}

	}

	private static URI toUri(String text) {
		try {
			return new URI(text);
		}
		catch (URISyntaxException ex) {
			throw new IllegalArgumentException(
					"store address " + mask(text) + " is not a valid URI: " + ex.getReason());
		}
	}

}
