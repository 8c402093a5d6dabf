package dev.workflowkeeper.store.memory;

import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;

/**
 * Reads every live key under a prefix of the {@link MemoryWorkflowStore} as a maintenance
 * scan sees it: the estimated memory ({@link MemoryMaintenance#estimateMemory}), the
 * expiry, and as the {@link KeyDetail} asks, type {@code string} and the value.
 * Restartable; not thread-safe (see {@link MemoryRangeReader}).
 */
class MemoryKeyInfoItemReader extends MemoryRangeReader<KeyInfo> {

	private final KeyDetail detail;

	MemoryKeyInfoItemReader(String name, MemoryWorkflowStore store, String keyPrefix, KeyDetail detail) {
		super(name, store, keyPrefix);
		this.detail = detail;
	}

	@Override
	KeyInfo item(String key, String threadId, MemoryWorkflowStore.Stored stored) {
		return new KeyInfo(key, threadId, (this.detail != KeyDetail.SIZE_AND_TTL) ? "string" : null,
				MemoryMaintenance.estimateMemory(key, stored.value()), stored.expireAtMillis(),
				(this.detail == KeyDetail.VALUE) ? stored.value() : null);
	}

}
