package dev.workflowkeeper.store.memory;

import dev.workflowkeeper.store.WorkflowStore;

import org.springframework.stereotype.Component;

/** Placeholder: the embedded in-memory store. */
@Component
public class MemoryWorkflowStore {

	public WorkflowStore view(String keyPrefix) {
		throw new UnsupportedOperationException("not implemented");
	}

}
