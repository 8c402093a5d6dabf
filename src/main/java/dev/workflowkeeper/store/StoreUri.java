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
 * {@code snapshot:PATH} or {@code memory:}.
 */
public record StoreUri(Kind kind, String value) {

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

	/**
	 * The Redis address as a URI; only for {@link Kind#REDIS}. Of an address with several
	 * seeds, the first.
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
