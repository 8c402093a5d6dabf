package dev.workflowkeeper.store.memory;

import java.util.List;
import java.util.Optional;

import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.store.WorkflowStore;

import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * The part of the {@link MemoryWorkflowStore} under one key prefix, as a
 * {@link WorkflowStore}. Closing it leaves the data alone: the store lives as long as the
 * worker.
 */
final class MemoryStoreView implements WorkflowStore {

	private final MemoryWorkflowStore store;

	private final String keyPrefix;

	MemoryStoreView(MemoryWorkflowStore store, String keyPrefix) {
		this.store = store;
		this.keyPrefix = keyPrefix;
	}

	@Override
	public String describe() {
		return "memory:";
	}

	@Override
	public boolean holdsExpiries() {
		return true;
	}

	@Override
	public List<ItemStreamReader<WorkflowEntry>> readers(String name) {
		return List.of(new MemoryItemReader(name, this.store, this.keyPrefix));
	}

	@Override
	public WorkflowItemWriter writer(String name, ConflictPolicy policy) {
		return new MemoryItemWriter(name, this.store, this.keyPrefix, policy);
	}

	/** Exact: the live states under the prefix. */
	@Override
	public long estimateCount() {
		return this.store.count(this.keyPrefix);
	}

	/** The maintenance operations under the view's prefix. */
	@Override
	public Optional<MaintainableStore> maintenance() {
		return Optional.of(new MemoryMaintenance(this.store, this.keyPrefix));
	}

	@Override
	public void close() {
	}

}
