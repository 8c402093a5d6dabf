package dev.workflowkeeper.store.snapshot;

/**
 * The thread ids a snapshot read has met, kept as 64-bit hashes in a primitive
 * open-addressing table: about 16 bytes per id instead of a {@code String} each, so that
 * tens of millions of ids fit. Two different ids share a hash with a probability of about
 * n²/2⁶⁵ (3·10⁻⁶ for ten million ids); such an id would be reported as a duplicate, never
 * silently lost.
 * <p>
 * Not thread-safe.
 */
final class ThreadIdSet {

	private static final long EMPTY = 0;

	private long[] table = new long[1 << 10];

	private int size;

	/**
	 * Adds an id.
	 * @return {@code true} when the id was not in the set yet
	 */
	boolean add(String threadId) {
		long hash = hash(threadId);
		if (this.size * 2 >= this.table.length) {
			grow();
		}
		if (!insert(this.table, hash)) {
			return false;
		}
		this.size++;
		return true;
	}

	int size() {
		return this.size;
	}

	private static boolean insert(long[] table, long hash) {
		int mask = table.length - 1;
		int slot = (int) (hash ^ (hash >>> 32)) & mask;
		while (table[slot] != EMPTY) {
			if (table[slot] == hash) {
				return false;
			}
			slot = (slot + 1) & mask;
		}
		table[slot] = hash;
		return true;
	}

	private void grow() {
		long[] bigger = new long[this.table.length * 2];
		for (long hash : this.table) {
			if (hash != EMPTY) {
				insert(bigger, hash);
			}
		}
		this.table = bigger;
	}

	/**
	 * FNV-1a over the UTF-16 code units, finished by MurmurHash3's fmix64 to spread the
	 * bits.
	 */
	static long hash(String text) {
		long h = 0xcbf29ce484222325L;
		for (int i = 0; i < text.length(); i++) {
			h ^= text.charAt(i);
			h *= 0x100000001b3L;
		}
		h ^= text.length();
		h ^= h >>> 33;
		h *= 0xff51afd7ed558ccdL;
		h ^= h >>> 33;
		h *= 0xc4ceb93fe53e94cdL;
		h ^= h >>> 33;
		// 0 marks an empty slot
		return (h == EMPTY) ? 1 : h;
	}

}
