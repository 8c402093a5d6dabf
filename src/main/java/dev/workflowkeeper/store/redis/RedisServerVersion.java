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
	 * {@code PEXPIRETIME} answers a key's absolute expiry; older servers only have the
	 * relative {@code PTTL}.
	 */
	boolean hasPexpireTime() {
		return this.major >= 7;
	}

	/** {@code SET … PXAT} sets an absolute expiry with the value, in one command. */
	boolean hasSetPxat() {
		return this.major > 6 || (this.major == 6 && this.minor >= 2);
	}

	@Override
	public String toString() {
		return this.text;
	}

}
