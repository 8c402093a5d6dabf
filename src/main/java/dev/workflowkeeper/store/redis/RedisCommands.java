package dev.workflowkeeper.store.redis;

import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import redis.clients.jedis.exceptions.JedisDataException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The optional commands one Redis node turned out not to run for the worker, and what the
 * worker does instead. Managed services rename or refuse some commands (ElastiCache and
 * Memorystore have no {@code CONFIG}, some ACLs refuse {@code EVAL}): the worker never
 * asks the server what it allows, it reads the error replies ({@code ERR unknown
 * command}, {@code NOPERM} for a command) the first time it meets them, remembers them
 * for the node's life and logs one line at WARN naming the command and the fallback.
 * <p>
 * A refused key pattern ({@code NOPERM} to a key) is not a missing command: it has no
 * fallback and fails as any error (see {@link RedisErrors}).
 * <p>
 * Thread-safe.
 */
final class RedisCommands {

	private static final Log logger = LogFactory.getLog(RedisCommands.class);

	/** A command the worker can do without, and what it does instead. */
	enum Command {

		/** The report's memory figures become estimates. */
		MEMORY_USAGE("MEMORY USAGE", "memory|usage",
				"memory figures are estimated from each value's length plus " + RedisMemoryEstimate.BYTES_PER_KEY
						+ " bytes a key"),

		/** Expiries are read relative to the server's clock. */
		PEXPIRETIME("PEXPIRETIME", "pexpiretime", "expiries are read with PTTL"),

		/** Scripts are sent whole every time. */
		EVALSHA("EVALSHA", "evalsha", "scripts are sent whole with EVAL"),

		/** Compare-and-set goes through WATCH and MULTI/EXEC instead of a Lua script. */
		EVAL("EVAL", "eval", "compare-and-delete and compare-and-set go through WATCH and MULTI/EXEC"),

		/** The server's view (memory, limits, evictions) is unavailable. */
		INFO("INFO", "info",
				"the server's view (memory, maxmemory, evictions) is unavailable and the eviction guard cannot check it");

		private final String command;

		private final String rule;

		private final String fallback;

		Command(String command, String rule, String fallback) {
			this.command = command;
			this.rule = rule;
			this.fallback = fallback;
		}

		String command() {
			return this.command;
		}

		/**
		 * Whether an error reply names this command ({@code 'MEMORY'},
		 * {@code 'memory|usage'}); {@code PEXPIRETIME} stands for {@code TIME} too, which
		 * the report sends beside it.
		 */
		boolean namedIn(String reply) {
			// Redis 6.2 quotes names with backticks, 7 with apostrophes
			String text = reply.toLowerCase(Locale.ROOT).replace('`', '\'');
			String name = this.rule.split("\\|")[0];
			return text.contains("'" + name + "'") || text.contains("'" + name + "|")
					|| (this == PEXPIRETIME && text.contains("'time'"));
		}

	}

	private final String address;

	private final String user;

	private final Set<Command> missing = ConcurrentHashMap.newKeySet();

	private final Set<Command> confirmed = ConcurrentHashMap.newKeySet();

	/**
	 * @param address the node's address, masked
	 * @param user the ACL user, {@code null} for the default one
	 */
	RedisCommands(String address, String user) {
		this.address = address;
		this.user = (user != null) ? user : "default";
	}

	/** Whether the node runs {@code command}, as far as the worker has seen. */
	boolean has(Command command) {
		return !this.missing.contains(command);
	}

	/**
	 * Whether {@code ex} says that the node does not run {@code command} for this user;
	 * if so, remembers it (logging once).
	 */
	boolean missing(Command command, Throwable ex) {
		if (!isMissingCommand(ex) || !command.namedIn(message(ex))) {
			return false;
		}
		markMissing(command, ex);
		return true;
	}

	/** Whether the node has been seen to run {@code command} for this user. */
	boolean confirmed(Command command) {
		return this.confirmed.contains(command);
	}

	/** Remembers that the node runs {@code command} for this user. */
	void confirm(Command command) {
		this.confirmed.add(command);
	}

	/** Remembers that the node does not run {@code command}, logging once. */
	void markMissing(Command command, Throwable ex) {
		if (this.missing.add(command)) {
			boolean refused = message(ex).startsWith("NOPERM");
			logger.warn("Redis at " + this.address + " "
					+ (refused ? "refuses " + command.command + " to user " + this.user
							: "does not know " + command.command + " (renamed or disabled)")
					+ ": " + command.fallback + (refused ? "; grant +" + command.rule + " for the full behaviour" : "")
					+ " (see README, Managed services and ACL users)");
		}
	}

	/**
	 * Whether an error reply along {@code ex}'s causes says that a command is unknown or
	 * refused to the user (not a key).
	 */
	static boolean isMissingCommand(Throwable ex) {
		String message = message(ex);
		return message.startsWith("ERR unknown command") || message.startsWith("ERR unknown subcommand")
				|| (message.startsWith("NOPERM") && message.contains("command"));
	}

	private static String message(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof JedisDataException && t.getMessage() != null) {
				return t.getMessage();
			}
		}
		return "";
	}

}
