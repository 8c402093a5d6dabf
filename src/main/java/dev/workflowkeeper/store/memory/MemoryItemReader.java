package dev.workflowkeeper.store.memory;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;

import dev.workflowkeeper.store.WorkflowEntry;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;
import org.springframework.util.Assert;

/**
 * Reads the live states under a key prefix of the {@link MemoryWorkflowStore}, in key order.
 * States written meanwhile may or may not be seen, as with Redis SCAN.
 * <p>
 * Restartable: the ExecutionContext keeps the last key read, and a restart goes on after it.
 * Not thread-safe.
 */
class MemoryItemReader extends ItemStreamSupport implements ItemStreamReader<WorkflowEntry> {

	private static final String LAST_KEY = "lastKey";

	private final MemoryWorkflowStore store;

	private final String keyPrefix;

	private Iterator<Map.Entry<String, MemoryWorkflowStore.Stored>> iterator;

	private String lastKey;

	MemoryItemReader(String name, MemoryWorkflowStore store, String keyPrefix) {
		setName(name);
		this.store = store;
		this.keyPrefix = keyPrefix;
	}

	@Override
	public void open(ExecutionContext executionContext) {
		this.lastKey = executionContext.getString(getExecutionContextKey(LAST_KEY), null);
		this.iterator = this.store.range(this.keyPrefix, this.lastKey).entrySet().iterator();
	}

	@Override
	public WorkflowEntry read() {
		Assert.state(this.iterator != null, "reader " + getName() + " is not open");
		long now = System.currentTimeMillis();
		while (this.iterator.hasNext()) {
			Map.Entry<String, MemoryWorkflowStore.Stored> entry = this.iterator.next();
			String key = entry.getKey();
			if (!key.startsWith(this.keyPrefix)) {
				// keys are sorted: past the prefix there is nothing more of ours
				this.iterator = Collections.emptyIterator();
				return null;
			}
			MemoryWorkflowStore.Stored stored = entry.getValue();
			if (stored.expiredAt(now)) {
				this.store.dropExpired(key, stored);
				continue;
			}
			this.lastKey = key;
			return new WorkflowEntry(key.substring(this.keyPrefix.length()), stored.value(), stored.expireAtMillis());
		}
		return null;
	}

	@Override
	public void update(ExecutionContext executionContext) {
		if (this.lastKey != null) {
			executionContext.putString(getExecutionContextKey(LAST_KEY), this.lastKey);
		}
	}

	@Override
	public void close() {
		this.iterator = null;
	}

}
