package dev.workflowkeeper.store.memory;

import dev.workflowkeeper.store.MaintainableStore.KeyInfo;

/**
 * Reads every live key under a prefix of the {@link MemoryWorkflowStore} as a maintenance scan sees
 * it: type {@code string}, the estimated memory ({@link MemoryMaintenance#estimateMemory}), the
 * expiry, and the value when asked for. Restartable; not thread-safe (see {@link MemoryRangeReader}).
 */
class MemoryKeyInfoItemReader extends MemoryRangeReader<KeyInfo> {

	private final boolean withValues;

	MemoryKeyInfoItemReader(String name, MemoryWorkflowStore store, String keyPrefix, boolean withValues) {
		super(name, store, keyPrefix);
		this.withValues = withValues;
	}

	@Override
	KeyInfo item(String key, String threadId, MemoryWorkflowStore.Stored stored) {
		return new KeyInfo(key, threadId, "string", MemoryMaintenance.estimateMemory(key, stored.value()),
				stored.expireAtMillis(), this.withValues ? stored.value() : null);
	}

}
