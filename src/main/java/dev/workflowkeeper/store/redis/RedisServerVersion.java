package dev.workflowkeeper.store.redis;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The version a Redis server reports in {@code INFO server}, to choose between commands
 * that only newer servers know.
 *
 * @param major the major version
 * @param minor the minor version
 * @param text the version as reported
 */
record RedisServerVersion(int major, int minor, String text) {

	private static final Pattern VERSION = Pattern.compile("(?m)^redis_version:(\\d+)\\.(\\d+)[^\\r\\n]*");

	/**
	 * Reads the version from the reply of {@code INFO server}; an unreadable one counts
	 * as 0.0.
	 */
	static RedisServerVersion fromInfo(String info) {
		Matcher matcher = VERSION.matcher(info);
		if (!matcher.find()) {
			return new RedisServerVersion(0, 0, "unknown");
		}
		return new RedisServerVersion(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)),
				matcher.group().substring("redis_version:".length()).trim());
	}

	/**
	 * Whether the server told its version: one that does not let the user read
	 * {@code INFO} or send {@code HELLO} does not.
	 */
	boolean known() {
		return this.major > 0;
	}

	/**
	 * {@code PEXPIRETIME} answers a key's absolute expiry; older servers only have the
	 * relative {@code PTTL}. An unknown version is tried, its error reply telling (see
	 * {@link RedisCommands}).
	 */
	boolean hasPexpireTime() {
		return this.major >= 7 || !known();
	}

	/**
	 * {@code SET … PXAT} sets an absolute expiry with the value, in one command; an
	 * unknown version is taken to have it, as every supported one has.
	 */
	boolean hasSetPxat() {
		return this.major > 6 || (this.major == 6 && this.minor >= 2) || !known();
	}

	@Override
	public String toString() {
		return this.text;
	}

}
