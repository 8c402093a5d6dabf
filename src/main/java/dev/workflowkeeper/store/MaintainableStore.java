package dev.workflowkeeper.store;

import java.util.List;
import java.util.Map;

import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * The operations the maintenance jobs (memory report, TTL enforcement, stale purge) need from a store
 * that has keys with TTLs: Redis and the embedded memory store. Every per-key operation works on a
 * batch (one pipeline on Redis) and is atomic per key, so that a state the service writes meanwhile
 * is never damaged.
 */
public interface MaintainableStore {

	/**
	 * Restartable readers over every key under the store's prefix — one per node — with each key's
	 * memory and expiry, and as much more as {@code detail} asks for. Keys of other prefixes are never
	 * returned; keys of other types are, with {@code value == null}.
	 */
	List<ItemStreamReader<KeyInfo>> keyReaders(String name, KeyDetail detail);

	/** How much a key reader finds out about each key, beyond its memory and expiry. */
	enum KeyDetail {

		/** Nothing more: {@link KeyInfo#type()} is {@code null} (the cheapest pass). */
		SIZE_AND_TTL,

		/** The key's type. */
		TYPE,

		/** The key's type, and the value of a string key. */
		VALUE;

		/** {@link #VALUE} when values are asked for, else {@link #TYPE}. */
		public static KeyDetail typed(boolean withValues) {
			return withValues ? VALUE : TYPE;
		}

	}

	/**
	 * Gives each key an expiry no later than {@code maxExpireAtMillis}: a key without a TTL gets
	 * {@code fillExpireAtMillis}, a key whose expiry is later than {@code maxExpireAtMillis} is capped
	 * to it; an expiry is never lengthened. On Redis 7 {@code PEXPIREAT … LT} when fill equals max and
	 * no value is expected, else an atomic Lua script on any version. When {@code expectedValue} is
	 * set, the change applies only while the value is still exactly that (a state the service rewrote
	 * meanwhile keeps what the service set).
	 * @throws IllegalArgumentException when a fill is later than its max, or a key is outside the prefix
	 * @return one outcome per change, in order
	 */
	List<TtlOutcome> enforceTtl(List<TtlChange> changes);

	/**
	 * Deletes each key only if its value is still exactly the judged one (compare-and-delete, one Lua
	 * script on Redis, UNLINK-style).
	 * @return for each entry whether it was deleted, in order
	 */
	List<Boolean> deleteIfUnchanged(List<KeyValue> judged);

	/** The server's own view: memory, limits, policy, fragmentation, expired and evicted keys. */
	Map<String, Object> serverInfo();

	/**
	 * One key as a maintenance scan sees it. Like every record here that holds bytes, its
	 * {@code equals} compares the arrays by identity.
	 *
	 * @param key the full key
	 * @param threadId the key without its prefix
	 * @param type {@code string}, {@code hash}, … as Redis names it; {@code null} when not asked for
	 * ({@link KeyDetail#SIZE_AND_TTL})
	 * @param memoryBytes what the key costs ({@code MEMORY USAGE}); an estimate for the memory store
	 * @param expireAtMillis absolute expiry, or {@link WorkflowEntry#NO_EXPIRY}
	 * @param value the value of a string key when values were asked for, else {@code null}
	 * @param fields the value's {@code status} and {@code updated_at}, read where the value was fetched
	 * (a reader's background thread, off the step's); {@code null} when there is no value or it is not
	 * a JSON object ({@link StateFields#read})
	 */
	record KeyInfo(String key, String threadId, String type, long memoryBytes, long expireAtMillis, byte[] value,
			StateFields fields) {

		/** A key whose value's fields are read here and now. */
		public KeyInfo(String key, String threadId, String type, long memoryBytes, long expireAtMillis, byte[] value) {
			this(key, threadId, type, memoryBytes, expireAtMillis, value, (value != null) ? StateFields.read(value) : null);
		}

	}

	/**
	 * A TTL change for one key.
	 *
	 * @param key the full key
	 * @param fillExpireAtMillis the expiry a key without one gets
	 * @param maxExpireAtMillis the latest expiry a key may keep
	 * @param expectedValue apply only while the value is exactly this; {@code null} for any value
	 */
	record TtlChange(String key, long fillExpireAtMillis, long maxExpireAtMillis, byte[] expectedValue) {
	}

	/** What a TTL change did to one key. */
	enum TtlOutcome {

		/** The key had no TTL and got one. */
		FIXED_MISSING,

		/** The key's expiry was later than the maximum and was capped. */
		CAPPED,

		/** The key's TTL was within the maximum: nothing changed. */
		UNTOUCHED,

		/** The key was gone, or its value had changed since it was judged. */
		CHANGED_OR_GONE

	}

	/**
	 * A key with the value it was judged by.
	 *
	 * @param key the full key
	 * @param value the value as read
	 */
	record KeyValue(String key, byte[] value) {
	}

}
