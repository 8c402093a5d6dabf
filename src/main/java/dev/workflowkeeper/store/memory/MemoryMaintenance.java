package dev.workflowkeeper.store.memory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.store.MaintainableStore;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.util.Assert;

/**
 * The maintenance operations on the {@link MemoryWorkflowStore} under one key prefix,
 * each atomic per key through the map's compare-and-set operations. Every state here has
 * an expiry (the store refuses one without), so {@link #enforceTtl} never answers
 * {@link TtlOutcome#FIXED_MISSING}: it only caps, to the maximum less the change's
 * {@link TtlChange#belowMaxMillis}.
 * <p>
 * Memory is an estimate, not a measurement: the UTF-8 bytes of the key and the bytes of
 * the value plus {@value #ENTRY_OVERHEAD} bytes per entry for the map node, the record
 * and the array headers. Good for comparing keys and for totals, not for sizing a JVM
 * heap.
 * <p>
 * Thread-safe.
 */
final class MemoryMaintenance implements MaintainableStore {

	/** The estimated bytes an entry costs beyond its key and value. */
	static final long ENTRY_OVERHEAD = 96;

	private final MemoryWorkflowStore store;

	private final String keyPrefix;

	MemoryMaintenance(MemoryWorkflowStore store, String keyPrefix) {
		this.store = store;
		this.keyPrefix = keyPrefix;
	}

	/** One reader over the prefix, named {@code name}. */
	@Override
	public List<ItemStreamReader<KeyInfo>> keyReaders(String name, KeyDetail detail) {
		return List.of(new MemoryKeyInfoItemReader(name, this.store, this.keyPrefix, detail));
	}

	/**
	 * {@inheritDoc} The store's clock is the worker's: a maximum TTL counts from the
	 * moment each key is changed.
	 * @throws IllegalArgumentException when a change's key is outside the prefix
	 */
	@Override
	public List<TtlOutcome> enforceTtl(List<TtlChange> changes) {
		for (TtlChange change : changes) {
			checkKey(change.key());
		}
		List<TtlOutcome> outcomes = new ArrayList<>(changes.size());
		for (TtlChange change : changes) {
			outcomes.add(this.store.capExpiry(change.key(), change.maxExpireAtMillis(), change.maxTtl(),
					change.belowMaxMillis(), change.expectedValue()));
		}
		this.store.sync();
		return outcomes;
	}

	/**
	 * {@inheritDoc}
	 * @throws IllegalArgumentException when a key is outside the prefix
	 */
	@Override
	public List<Boolean> deleteIfUnchanged(List<KeyValue> judged) {
		for (KeyValue entry : judged) {
			checkKey(entry.key());
			Assert.notNull(entry.value(),
					() -> "no judged value for " + entry.key() + ": nothing to compare before deleting");
		}
		List<Boolean> deleted = new ArrayList<>(judged.size());
		for (KeyValue entry : judged) {
			deleted.add(this.store.deleteIfValue(entry.key(), entry.value()));
		}
		this.store.sync();
		return deleted;
	}

	/**
	 * {@inheritDoc}
	 * @throws IllegalArgumentException when a key is outside the prefix
	 */
	@Override
	public List<Boolean> exist(List<String> keys) {
		keys.forEach(this::checkKey);
		return keys.stream().map((key) -> this.store.live(key) != null).toList();
	}

	/**
	 * The whole store, every prefix: {@code role} {@code embedded}, {@code usedMemory}
	 * (estimated as for the keys), {@code maxmemory} 0 and {@code maxmemoryPolicy}
	 * {@code none} (no limit, nothing is evicted), {@code dbKeys} (live states),
	 * {@code expiredKeys} (expired states removed since the worker started),
	 * {@code evictedKeys} 0. There is no {@code redisVersion} nor
	 * {@code fragmentationRatio}.
	 */
	@Override
	public Map<String, Object> serverInfo() {
		long now = System.currentTimeMillis();
		long keys = 0;
		long memory = 0;
		for (Map.Entry<String, MemoryWorkflowStore.Stored> entry : this.store.entries().entrySet()) {
			if (!entry.getValue().expiredAt(now)) {
				keys++;
				memory += estimateMemory(entry.getKey(), entry.getValue().value());
			}
		}
		Map<String, Object> info = new LinkedHashMap<>();
		info.put("role", "embedded");
		info.put("usedMemory", memory);
		info.put("maxmemory", 0L);
		info.put("maxmemoryPolicy", "none");
		info.put("expiredKeys", this.store.expiredCount());
		info.put("evictedKeys", 0L);
		info.put("dbKeys", keys);
		return info;
	}

	/**
	 * What one entry is estimated to cost: key and value bytes plus
	 * {@value #ENTRY_OVERHEAD}.
	 */
	static long estimateMemory(String key, byte[] value) {
		return key.getBytes(StandardCharsets.UTF_8).length + (long) value.length + ENTRY_OVERHEAD;
	}

	private void checkKey(String key) {
		Assert.isTrue(key != null && key.startsWith(this.keyPrefix) && key.length() > this.keyPrefix.length(),
				() -> "key " + key + " is not a state under the prefix " + this.keyPrefix
						+ ": maintenance leaves it alone");
	}

}
