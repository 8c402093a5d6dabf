package dev.workflowkeeper.store;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.util.Assert;

/**
 * The operations the maintenance jobs (memory report, TTL enforcement, stale purge) need
 * from a store that has keys with TTLs: Redis and the embedded memory store. Every
 * per-key operation works on a batch (one pipeline on Redis) and is atomic per key, so
 * that a state the service writes meanwhile is never damaged.
 */
public interface MaintainableStore {

	/**
	 * Restartable readers over every key under the store's prefix — one per node — with
	 * each key's memory and expiry, and as much more as {@code detail} asks for. Keys of
	 * other prefixes are never returned; keys of other types are, with
	 * {@code value == null}.
	 */
	List<ItemStreamReader<KeyInfo>> keyReaders(String name, KeyDetail detail);

	/**
	 * Readers as {@link #keyReaders(String, KeyDetail)}, over part of the keys when
	 * {@code sample} asks for it: a store that can sample ends each reader's scan early
	 * and tags every key with its {@link ScanPage}; one that cannot (the default) reads
	 * every key, untagged, and its report is exact.
	 */
	default List<ItemStreamReader<KeyInfo>> keyReaders(String name, KeyDetail detail, KeySample sample) {
		return keyReaders(name, detail);
	}

	/**
	 * How much of the keyspace a sampled scan reads: it ends after the first page that
	 * takes the share of the keyspace visited to {@code share}, or that takes the keys
	 * read to {@code keys}, whichever comes first.
	 *
	 * @param share the share of the keyspace to visit, in (0, 1]
	 * @param keys the keys to read at least; {@link Long#MAX_VALUE} for no bound
	 */
	record KeySample(double share, long keys) {

		/** The whole keyspace. */
		public static final KeySample WHOLE = new KeySample(1.0, Long.MAX_VALUE);

		public KeySample {
			Assert.isTrue(share > 0 && share <= 1, "a sample's share is in (0, 1]");
			Assert.isTrue(keys > 0, "a sample reads at least one key");
		}

		/** Whether this reads the whole keyspace. */
		public boolean whole() {
			return this.share >= 1 && this.keys == Long.MAX_VALUE;
		}

	}

	/**
	 * The page of a sampled scan a key came in: the shares of the keyspace visited before
	 * and after it. Keys are spread over the pages at random (by their hash), so each
	 * page is a random cluster of the keyspace, {@code end - start} of it.
	 *
	 * @param start the share visited before the page, in [0, 1)
	 * @param end the share visited once the page was read, in (start, 1]
	 */
	record ScanPage(double start, double end) {
	}

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
	 * Gives each key an expiry no later than its change's maximum ({@link TtlChange}): a
	 * key without a TTL gets the fill expiry, or the maximum when that is earlier; a key
	 * whose expiry is later than the maximum is capped to it; an expiry is never
	 * lengthened. A maximum given as a TTL ({@link TtlChange#maxTtl}) counts on the
	 * store's own clock at the moment of the change, so that no key keeps a TTL above it
	 * whatever the worker's clock says. On Redis 7 {@code PEXPIRE … LT} (a maximum TTL)
	 * or {@code PEXPIREAT … LT} (an absolute maximum) when the fill is the maximum and no
	 * value is expected and the change sets no expiry below the maximum
	 * ({@link TtlChange#belowMaxMillis}; with one, {@code PEXPIRE … NX} fills a key
	 * without a TTL), else an atomic Lua script on any version. When
	 * {@code expectedValue} is set, the change applies only while the value is still
	 * exactly that (a state the service rewrote meanwhile keeps what the service set).
	 * @throws IllegalArgumentException when a key is outside the prefix
	 * @return one outcome per change, in order
	 */
	List<TtlOutcome> enforceTtl(List<TtlChange> changes);

	/**
	 * Deletes each key only if its value is still exactly the judged one
	 * (compare-and-delete, one Lua script on Redis, UNLINK-style).
	 * @return for each entry whether it was deleted, in order
	 */
	List<Boolean> deleteIfUnchanged(List<KeyValue> judged);

	/**
	 * Whether each key holds a live value now (of any type), in batches as the other
	 * per-key operations.
	 * @param keys full keys under the store's prefix
	 * @return for each key whether it exists, in order
	 */
	List<Boolean> exist(List<String> keys);

	/**
	 * The server's own view: memory, limits, policy, fragmentation, expired and evicted
	 * keys.
	 */
	Map<String, Object> serverInfo();

	/**
	 * Whether the memory figures the key readers gave were estimated rather than measured
	 * (a Redis that does not run {@code MEMORY USAGE} for the user), as far as the
	 * readers have gone; {@code false} by default.
	 */
	default boolean memoryEstimated() {
		return false;
	}

	/**
	 * One key as a maintenance scan sees it. Like every record here that holds bytes, its
	 * {@code equals} compares the arrays by identity.
	 *
	 * @param key the full key
	 * @param threadId the key without its prefix
	 * @param type {@code string}, {@code hash}, … as Redis names it; {@code null} when
	 * not asked for ({@link KeyDetail#SIZE_AND_TTL})
	 * @param memoryBytes what the key costs ({@code MEMORY USAGE}); an estimate for the
	 * memory store
	 * @param expireAtMillis absolute expiry on the worker's clock, or
	 * {@link WorkflowEntry#NO_EXPIRY}: the expiry minus the worker's now is the key's
	 * remaining TTL however far the worker's clock is off the store's. A store that keeps
	 * time on its own clock (Redis) reports it converted, to within a round trip, earlier
	 * rather than later
	 * @param value the value of a string key when values were asked for, else
	 * {@code null}
	 * @param fields the value's {@code status} and {@code updated_at}, read where the
	 * value was fetched (a reader's background thread, off the step's); {@code null} when
	 * there is no value or it is not a JSON object ({@link StateFields#read})
	 * @param page the page of a sampled scan the key came in; {@code null} when the scan
	 * is not sampled
	 */
	record KeyInfo(String key, String threadId, String type, long memoryBytes, long expireAtMillis, byte[] value,
			StateFields fields, ScanPage page) {

		/** A key of a scan that is not sampled. */
		public KeyInfo(String key, String threadId, String type, long memoryBytes, long expireAtMillis, byte[] value,
				StateFields fields) {
			this(key, threadId, type, memoryBytes, expireAtMillis, value, fields, null);
		}

		/** A key whose value's fields are read here and now. */
		public KeyInfo(String key, String threadId, String type, long memoryBytes, long expireAtMillis, byte[] value) {
			this(key, threadId, type, memoryBytes, expireAtMillis, value,
					(value != null) ? StateFields.read(value) : null);
		}

	}

	/**
	 * A TTL change for one key. Its maximum is the earlier of {@code maxExpireAtMillis}
	 * and, when {@code maxTtl} is given, the store's clock at the moment of the change
	 * plus {@code maxTtl}. The TTL enforcement gives only the latter
	 * ({@link #withinTtl}): a maximum computed on the worker's clock is as wrong as that
	 * clock is off the server's. An expiry the change sets is never later than the
	 * maximum less {@code belowMaxMillis}: a key without a TTL gets the earlier of the
	 * fill and that, a key above the maximum is lowered to that, and a key at or below
	 * the maximum is left alone (a state the service refreshed keeps what it was given).
	 *
	 * @param key the full key
	 * @param fillExpireAtMillis the expiry a key without one gets, or the maximum less
	 * {@code belowMaxMillis} when that is earlier; {@link #UNBOUNDED} for the latter
	 * itself
	 * @param maxExpireAtMillis the latest expiry a key may keep; {@link #UNBOUNDED} when
	 * only {@code maxTtl} bounds it
	 * @param maxTtl the longest TTL a key may keep, counted on the store's clock when the
	 * change is applied; {@code null} when only {@code maxExpireAtMillis} bounds it
	 * @param belowMaxMillis how far below the maximum an expiry the change sets lands (a
	 * key's place in a spread of expiries); {@code 0} for the maximum itself
	 * @param expectedValue apply only while the value is exactly this; {@code null} for
	 * any value
	 */
	record TtlChange(String key, long fillExpireAtMillis, long maxExpireAtMillis, Duration maxTtl, long belowMaxMillis,
			byte[] expectedValue) {

		/**
		 * No absolute bound: as a fill, the maximum itself; as a maximum, only
		 * {@code maxTtl} counts.
		 */
		public static final long UNBOUNDED = Long.MAX_VALUE;

		/**
		 * @throws IllegalArgumentException when the change has no maximum, a maximum TTL
		 * below one millisecond, a fill later than its absolute maximum, or an expiry
		 * below a maximum that is not a TTL shorter than the distance
		 */
		public TtlChange {
			// below an absolute maximum, the expiry set could be in the past: the key
			// gone
			Assert.isTrue(
					belowMaxMillis == 0 || (belowMaxMillis > 0 && maxExpireAtMillis == UNBOUNDED && maxTtl != null
							&& belowMaxMillis < maxTtl.toMillis()),
					() -> "the TTL change of " + key + " sets its expiry " + belowMaxMillis
							+ " ms below a maximum that is not a TTL longer than that");
			Assert.isTrue(maxExpireAtMillis != UNBOUNDED || maxTtl != null,
					() -> "the TTL change of " + key + " has no maximum");
			Assert.isTrue(maxTtl == null || maxTtl.toMillis() > 0,
					() -> "the maximum TTL of " + key + " must be at least a millisecond, not " + maxTtl);
			Assert.isTrue(fillExpireAtMillis == UNBOUNDED || fillExpireAtMillis <= maxExpireAtMillis,
					() -> "the fill expiry of " + key
							+ " is later than its maximum: a key would get a TTL beyond the limit");
		}

		/** A change whose expiries land at the maximum itself. */
		public TtlChange(String key, long fillExpireAtMillis, long maxExpireAtMillis, Duration maxTtl,
				byte[] expectedValue) {
			this(key, fillExpireAtMillis, maxExpireAtMillis, maxTtl, 0, expectedValue);
		}

		/** A change bounded by an absolute maximum only. */
		public TtlChange(String key, long fillExpireAtMillis, long maxExpireAtMillis, byte[] expectedValue) {
			this(key, fillExpireAtMillis, maxExpireAtMillis, null, 0, expectedValue);
		}

		/**
		 * A change bounded by a TTL on the store's clock only.
		 * @param fillExpireAtMillis the expiry a key without one gets when that is
		 * earlier than the maximum; {@link #UNBOUNDED} for the maximum itself
		 */
		public static TtlChange withinTtl(String key, long fillExpireAtMillis, Duration maxTtl, byte[] expectedValue) {
			return new TtlChange(key, fillExpireAtMillis, UNBOUNDED, maxTtl, 0, expectedValue);
		}

		/**
		 * A change bounded by a TTL on the store's clock only, whose expiries land
		 * {@code belowMaxMillis} below it.
		 * @param fillExpireAtMillis the expiry a key without one gets when that is
		 * earlier than the maximum less {@code belowMaxMillis}; {@link #UNBOUNDED} for
		 * the latter itself
		 */
		public static TtlChange withinTtl(String key, long fillExpireAtMillis, Duration maxTtl, long belowMaxMillis,
				byte[] expectedValue) {
			return new TtlChange(key, fillExpireAtMillis, UNBOUNDED, maxTtl, belowMaxMillis, expectedValue);
		}

		/**
		 * Whether a key without a TTL gets the maximum itself, whatever the store's clock
		 * reads.
		 */
		public boolean fillsToMaximum() {
			return this.belowMaxMillis == 0 && (this.fillExpireAtMillis == UNBOUNDED
					|| (this.maxTtl == null && this.fillExpireAtMillis == this.maxExpireAtMillis));
		}

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
