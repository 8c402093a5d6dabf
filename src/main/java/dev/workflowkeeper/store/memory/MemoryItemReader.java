package dev.workflowkeeper.store.memory;

import dev.workflowkeeper.store.WorkflowEntry;

/**
 * Reads the live states under a key prefix of the {@link MemoryWorkflowStore}, in key
 * order. Restartable; not thread-safe (see {@link MemoryRangeReader}).
 */
class MemoryItemReader extends MemoryRangeReader<WorkflowEntry> {

	MemoryItemReader(String name, MemoryWorkflowStore store, String keyPrefix) {
		super(name, store, keyPrefix);
	}

	@Override
	WorkflowEntry item(String key, String threadId, MemoryWorkflowStore.Stored stored) {
		return new WorkflowEntry(threadId, stored.value(), stored.expireAtMillis());
	}

}
