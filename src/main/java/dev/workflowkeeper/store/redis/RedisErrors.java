package dev.workflowkeeper.store.redis;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLException;

import dev.workflowkeeper.store.StoreAccessException;

import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Turns what Jedis throws into a {@link StoreAccessException} whose message is the one
 * line a user reads: which Redis, what went wrong, what to check. The password is masked
 * in the address and scrubbed from any server text, since some replies echo what the
 * client sent.
 */
final class RedisErrors {

	private final String address;

	private static final Pattern REFUSED_COMMAND = Pattern.compile("['`]([^'`]+)['`] command");

	/** Redis 7.0's reply when a script calls a command the user may not run. */
	private static final Pattern REFUSED_IN_SCRIPT = Pattern
		.compile("can't run this command or subcommand script: (\\w+), on @user_script:(\\d+)");

	private static final Pattern SCRIPT_CALL = Pattern.compile("redis\\.p?call\\('([A-Za-z]+)'");

	/** The worker's scripts by SHA1, to name the command a refused script line calls. */
	private static final Map<String, String> SCRIPTS = Map.of(sha1(TtlScript.SOURCE), TtlScript.SOURCE,
			sha1(DeleteIfUnchangedScript.SOURCE), DeleteIfUnchangedScript.SOURCE, sha1(NewerStateScript.SOURCE),
			NewerStateScript.SOURCE);

	private final String password;

	private final String user;

	/**
	 * @param address the server's address, already masked
	 * @param password the password in use, to scrub from messages; {@code null} when none
	 */
	RedisErrors(String address, String password) {
		this(address, password, null);
	}

	/**
	 * @param address the server's address, already masked
	 * @param password the password in use, to scrub from messages; {@code null} when none
	 * @param user the ACL user, {@code null} for the default one
	 */
	RedisErrors(String address, String password, String user) {
		this.address = address;
		this.password = password;
		this.user = (user != null) ? user : "default";
	}

	StoreAccessException translate(RuntimeException ex) {
		return new StoreAccessException(scrub(message(ex)), ex);
	}

	/**
	 * As {@link #translate(RuntimeException)}, for the last of {@code attempts} attempts
	 * made since {@code startedNanos}.
	 */
	StoreAccessException translate(RuntimeException ex, int attempts, long startedNanos) {
		double seconds = Math.round((System.nanoTime() - startedNanos) / 1e8) / 10.0;
		return new StoreAccessException(
				scrub(message(ex)) + " (still failing after " + attempts + " attempts in " + seconds + " s)", ex);
	}

	private String message(RuntimeException ex) {
		Throwable cause = rootCause(ex);
		Throwable refused = (find(ex, ConnectException.class) != null) ? find(ex, ConnectException.class)
				: find(ex, NoRouteToHostException.class);
		if (refused != null) {
			return "cannot reach Redis at " + this.address + ": " + reason(refused, "connection refused");
		}
		if (find(ex, UnknownHostException.class) != null) {
			return "cannot reach Redis at " + this.address + ": unknown host; check the host name in the URL";
		}
		SSLException tls = find(ex, SSLException.class);
		if (tls != null) {
			String reason = firstLine(tls.getMessage());
			if (reason.contains("no answer to the TLS handshake") || reason.contains("Unsupported or unrecognized")
					|| reason.contains("terminated the handshake") || reason.contains("plaintext")) {
				return "TLS handshake with Redis at " + this.address + " failed (" + reason
						+ "): is the server plain text? Use redis:// for a server without TLS";
			}
			return "TLS handshake with Redis at " + this.address + " failed: " + reason
					+ "; check that this JVM trusts the server's certificate and that it names this host";
		}
		if (find(ex, SocketTimeoutException.class) != null) {
			return "Redis at " + this.address
					+ " did not answer in time; check the address, the server's load and REDIS_SOCKET_TIMEOUT";
		}
		String server = serverError(ex);
		String refusal = refusal(ex, 0);
		if (refusal != null) {
			// inside MULTI a refused command aborts EXEC, its NOPERM attached to the
			// abort
			return refused(firstLine(refusal));
		}
		if (server != null) {
			if (server.startsWith("NOAUTH")) {
				return "Redis at " + this.address + " requires a password: " + server
						+ "; set REDIS_PASSWORD or put it in the URL";
			}
			if (server.startsWith("WRONGPASS") || server.contains("invalid password") || server.startsWith("ERR AUTH")
					|| server.contains("no password is set") || find(ex, JedisAccessControlException.class) != null) {
				return "Redis at " + this.address + " refused the credentials: " + server
						+ "; check REDIS_PASSWORD or the URL";
			}
			if (server.startsWith("OOM")) {
				return "Redis at " + this.address + " is out of memory (" + server
						+ "); raise its maxmemory or free memory on it";
			}
			if (server.contains("DB index is out of range")) {
				return "Redis at " + this.address + " has no such database: " + server + "; check REDIS_DB or the URL";
			}
			return "Redis at " + this.address + " failed: " + server;
		}
		if (find(ex, JedisConnectionException.class) != null) {
			return "lost the connection to Redis at " + this.address + ": " + firstLine(cause.getMessage());
		}
		return "Redis at " + this.address + " failed: " + firstLine(cause.getMessage());
	}

	/**
	 * A {@code NOPERM} reply in one line: the command (or the key) the user lacks and the
	 * ACL rule that grants it. Redis 6.2 names the command ({@code 'memory'} … or its
	 * subcommand), 7.0 and later name it with its subcommand ({@code 'memory|usage'}); a
	 * script's reply names the command the script called.
	 */
	private String refused(String server) {
		Matcher inScript = REFUSED_IN_SCRIPT.matcher(server);
		if (inScript.find()) {
			String called = calledAt(inScript.group(1), Integer.parseInt(inScript.group(2)));
			if (called != null) {
				return "Redis at " + this.address + " refused " + called.toUpperCase(Locale.ROOT) + " to user "
						+ this.user + " in the worker's script: grant it with +" + called.toLowerCase(Locale.ROOT)
						+ " (see README, ACL rules)";
			}
		}
		Matcher command = REFUSED_COMMAND.matcher(server);
		if (command.find()) {
			String name = command.group(1).toLowerCase(Locale.ROOT);
			return "Redis at " + this.address + " refused " + name.replace('|', ' ').toUpperCase(Locale.ROOT)
					+ " to user " + this.user + ": grant it with +" + name + " (see README, ACL rules)";
		}
		if (server.contains("key")) {
			return "Redis at " + this.address + " refused user " + this.user
					+ " access to a key: grant the key pattern of the states, such as ~document_workflow:* (see README, ACL rules)";
		}
		return "Redis at " + this.address + " refused a command to user " + this.user + " (" + server
				+ "): grant it (see README, ACL rules)";
	}

	/**
	 * The command that line {@code line} of the worker's script {@code sha} calls;
	 * {@code null} when the script is not one of the worker's or the line calls none.
	 */
	private static String calledAt(String sha, int line) {
		String source = SCRIPTS.get(sha.toLowerCase(Locale.ROOT));
		List<String> lines = (source != null) ? source.lines().toList() : List.of();
		if (line < 1 || line > lines.size()) {
			return null;
		}
		Matcher call = SCRIPT_CALL.matcher(lines.get(line - 1));
		return call.find() ? call.group(1) : null;
	}

	private static String sha1(String source) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("this JVM has no SHA-1, which every Java platform must provide", ex);
		}
	}

	/**
	 * The first ACL refusal among the causes and the suppressed exceptions, if any.
	 */
	private static String refusal(Throwable ex, int depth) {
		for (Throwable t = ex; t != null && depth < 8; t = t.getCause(), depth++) {
			String message = t.getMessage();
			if (t instanceof JedisDataException && message != null
					&& (message.startsWith("NOPERM") || REFUSED_IN_SCRIPT.matcher(message).find())) {
				return message;
			}
			for (Throwable suppressed : t.getSuppressed()) {
				String found = refusal(suppressed, depth + 1);
				if (found != null) {
					return found;
				}
			}
		}
		return null;
	}

	/** The text of the first error reply from the server along the causes, if any. */
	private static String serverError(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof JedisDataException && t.getMessage() != null) {
				return firstLine(t.getMessage());
			}
		}
		return null;
	}

	/**
	 * The first exception of {@code type} among the causes and the suppressed exceptions:
	 * Jedis tries every address a host resolves to and attaches each failure as a
	 * suppressed exception.
	 */
	private static <T extends Throwable> T find(Throwable ex, Class<T> type) {
		return find(ex, type, 0);
	}

	private static <T extends Throwable> T find(Throwable ex, Class<T> type, int depth) {
		for (Throwable t = ex; t != null && depth < 8; t = t.getCause(), depth++) {
			if (type.isInstance(t)) {
				return type.cast(t);
			}
			for (Throwable suppressed : t.getSuppressed()) {
				T found = find(suppressed, type, depth + 1);
				if (found != null) {
					return found;
				}
			}
		}
		return null;
	}

	private static Throwable rootCause(Throwable ex) {
		Throwable root = ex;
		while (root.getCause() != null && root.getCause() != root) {
			root = root.getCause();
		}
		return root;
	}

	private static String reason(Throwable cause, String fallback) {
		String message = firstLine(cause.getMessage());
		return (message == null || message.isBlank()) ? fallback : message.toLowerCase();
	}

	private static String firstLine(String text) {
		if (text == null) {
			return "(no message)";
		}
		int end = text.indexOf('\n');
		return ((end < 0) ? text : text.substring(0, end)).trim();
	}

	private String scrub(String message) {
		return (this.password == null || this.password.isEmpty()) ? message : message.replace(this.password, "****");
	}

}
