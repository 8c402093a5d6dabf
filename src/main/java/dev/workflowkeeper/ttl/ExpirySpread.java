package dev.workflowkeeper.ttl;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Where each key's expiry lands in the spread window: a place between {@code 0} and the
 * spread (in milliseconds) below the TTL it is given, taken from a hash of the key. The
 * same key gets the same place on every run and every resume, and the keys of a run are
 * spread evenly over the window, however alike their names (ids that differ in one
 * character, counters).
 *
 * @param spread the window; zero for none
 */
record ExpirySpread(Duration spread) {

	/** No spread: every key at the TTL it is given. */
	static final ExpirySpread NONE = new ExpirySpread(Duration.ZERO);

	/** How far below the TTL it is given the key's expiry lands, in milliseconds. */
	long offsetMillis(String key) {
		long window = this.spread.toMillis();
		if (window <= 0) {
			return 0;
		}
		return Long.remainderUnsigned(hash(key), window + 1);
	}

	/** FNV-1a over the key's UTF-8 bytes, mixed by SplitMix64's finalizer. */
	static long hash(String key) {
		long hash = 0xcbf29ce484222325L;
		for (byte b : key.getBytes(StandardCharsets.UTF_8)) {
			hash ^= (b & 0xff);
			hash *= 0x100000001b3L;
		}
		hash = (hash ^ (hash >>> 30)) * 0xbf58476d1ce4e5b9L;
		hash = (hash ^ (hash >>> 27)) * 0x94d049bb133111ebL;
		return hash ^ (hash >>> 31);
	}

}
