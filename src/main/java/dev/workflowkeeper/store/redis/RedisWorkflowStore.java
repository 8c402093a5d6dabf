package dev.workflowkeeper.store.redis;

import java.util.List;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.store.WorkflowStore;

import org.springframework.batch.infrastructure.item.ItemStreamReader;

/** Placeholder: the Redis store. */
public class RedisWorkflowStore implements WorkflowStore {

	public RedisWorkflowStore(StoreUri uri, String keyPrefix, KeeperProperties properties) {
		throw new UnsupportedOperationException("not implemented");
	}

	@Override
	public String describe() { return null; }

	@Override
	public boolean holdsExpiries() { return true; }

	@Override
	public List<ItemStreamReader<WorkflowEntry>> readers(String name) { return List.of(); }

	@Override
	public WorkflowItemWriter writer(String name, ConflictPolicy policy) { return null; }

	@Override
	public long estimateCount() { return -1; }

	@Override
	public void close() { }

}
