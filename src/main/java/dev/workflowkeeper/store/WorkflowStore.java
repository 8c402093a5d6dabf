package dev.workflowkeeper.store;

import java.util.List;
import java.util.Optional;

import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * A place that holds workflow states: Redis, a snapshot file or the embedded in-memory
 * store. Opened by {@link WorkflowStores#open}; every reader and writer it hands out is a
 * named {@link org.springframework.batch.infrastructure.item.ItemStream} that keeps its
 * position in the step's ExecutionContext, so a restarted step resumes where the last
 * committed chunk ended.
 */
public interface WorkflowStore extends AutoCloseable {

	/**
	 * The store's address, with any secret masked: safe for logs, reports and job
	 * parameters.
	 */
	String describe();

	/**
	 * Whether the states of this store carry their own expiry (Redis, the memory store,
	 * JSON Lines snapshots) or not (a snapshot written by {@code json.dump} of the
	 * service's dict).
	 */
	boolean holdsExpiries();

	/**
	 * Readers over every state under the store's key prefix: one per node (a single one
	 * for a standalone Redis, a file or the memory store). Each is restartable and named
	 * after {@code name}, which must differ between the readers of one step.
	 */
	List<ItemStreamReader<WorkflowEntry>> readers(String name);

	/**
	 * A writer that stores entries under the store's key prefix, resolving conflicts by
	 * {@code policy}.
	 */
	WorkflowItemWriter writer(String name, ConflictPolicy policy);

	/**
	 * Checks, before a run starts, that a writer with {@code policy} could write here, so
	 * that a target that cannot take the output is refused in one line before any work.
	 * Default: nothing to check.
	 * @throws StoreAccessException saying why not and what to do
	 */
	default void checkWritable(ConflictPolicy policy) {
	}

	/**
	 * How many states a full read is expected to return, for progress; {@code -1} when
	 * unknown. For Redis an upper bound: DBSIZE counts every key of the database.
	 */
	long estimateCount();

	/**
	 * The maintenance operations, for a store with keys and TTLs (Redis, memory); else
	 * empty.
	 */
	default Optional<MaintainableStore> maintenance() {
		return Optional.empty();
	}

	@Override
	void close();

}
