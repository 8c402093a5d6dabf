package dev.workflowkeeper.store;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The address of a workflow store, as given on the command line or in configuration:
 * {@code redis://[user:password@]host:port/db}, {@code rediss://…} (TLS),
 * {@code snapshot:PATH} or {@code memory:}.
 */
public record StoreUri(Kind kind, String value) {

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
			URI uri = toUri(trimmed);
			if (uri.getHost() == null) {
				throw new IllegalArgumentException("store address " + mask(trimmed) + " names no host");
			}
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

	/** The Redis address as a URI; only for {@link Kind#REDIS}. */
	public URI redisUri() {
		return toUri(this.value);
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
