package dev.workflowkeeper.store;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.pace.JobPaces;
import dev.workflowkeeper.store.memory.MemoryWorkflowStore;
import dev.workflowkeeper.store.redis.RedisWorkflowStore;
import dev.workflowkeeper.store.snapshot.SnapshotWorkflowStore;

import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.stereotype.Component;

/**
 * Opens the store that an address names. The caller closes what it opened; closing the
 * embedded memory store only releases the view, the store itself lives as long as the
 * worker.
 */
@Component
public class WorkflowStores {

	private static final String MEMORY = "memory:";

	private final KeeperProperties properties;

	private final MemoryWorkflowStore memoryStore;

	private final JobPaces paces;

	public WorkflowStores(KeeperProperties properties, MemoryWorkflowStore memoryStore, JobPaces paces) {
		this.properties = properties;
		this.memoryStore = memoryStore;
		this.paces = paces;
	}

	/** Opens a store with the configured key prefix. */
	public WorkflowStore open(StoreUri uri) {
		return open(uri, this.properties.keyPrefix());
	}

	/**
	 * Opens a store whose keys are {@code keyPrefix + threadId} (the prefix matters only
	 * to stores that have keys: Redis and the memory store). A Redis opened while a step
	 * runs is paced by that step's job ({@link JobPaces}).
	 */
	public WorkflowStore open(StoreUri uri, String keyPrefix) {
		return switch (uri.kind()) {
			case REDIS -> new RedisWorkflowStore(uri, keyPrefix, this.properties.redis(), this.paces.current());
			case SNAPSHOT -> new SnapshotWorkflowStore(uri.snapshotPath(), this.properties.migration().maxRecordSize());
			case MEMORY -> this.memoryStore.view(keyPrefix);
		};
	}

	/**
	 * Takes the {@code memory:} store for this process when one of {@code parameters}
	 * names it, before a run starts.
	 * @throws StoreInUseException when another process owns it
	 */
	public void claimMemoryStore(JobParameters parameters) {
		for (JobParameter<?> parameter : parameters) {
			if (MEMORY.equals(parameter.value())) {
				open(StoreUri.parse(MEMORY)).close();
				return;
			}
		}
	}

	/**
	 * The store the worker uses when none is named: Redis when the service's settings
	 * enable it, else memory.
	 */
	public StoreUri defaultStore() {
		KeeperProperties.Redis redis = this.properties.redis();
		return redis.configured() ? StoreUri.parse(redis.url()) : StoreUri.parse(MEMORY);
	}

}
