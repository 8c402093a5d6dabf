package dev.workflowkeeper.store.memory;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;
import org.springframework.util.Assert;

/**
 * Walks the live entries under a key prefix of the {@link MemoryWorkflowStore} in key
 * order, dropping expired ones on the way; states written meanwhile may or may not be
 * seen, as with Redis SCAN. A key equal to the prefix (no thread id) is passed over.
 * <p>
 * Restartable: the ExecutionContext keeps the last key passed and how many items were
 * read, and a restart goes on after that key. Not thread-safe.
 *
 * @param <T> what each entry is read as
 */
abstract class MemoryRangeReader<T> extends ItemStreamSupport implements ItemStreamReader<T> {

	private final MemoryWorkflowStore store;

	private final String keyPrefix;

	private Iterator<Map.Entry<String, MemoryWorkflowStore.Stored>> iterator;

	private String lastKey;

	private long read;

	MemoryRangeReader(String name, MemoryWorkflowStore store, String keyPrefix) {
		setName(name);
		this.store = store;
		this.keyPrefix = keyPrefix;
	}

	/** The item for one live entry. */
	abstract T item(String key, String threadId, MemoryWorkflowStore.Stored stored);

	@Override
	public void open(ExecutionContext executionContext) {
		this.lastKey = executionContext.getString(getExecutionContextKey("lastKey"), null);
		this.read = executionContext.getLong(getExecutionContextKey("read"), 0);
		this.iterator = this.store.range(this.keyPrefix, this.lastKey).entrySet().iterator();
	}

	@Override
	public T read() {
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
			if (key.length() == this.keyPrefix.length()) {
				continue;
			}
			this.read++;
			return item(key, key.substring(this.keyPrefix.length()), stored);
		}
		return null;
	}

	@Override
	public void update(ExecutionContext executionContext) {
		if (this.lastKey != null) {
			executionContext.putString(getExecutionContextKey("lastKey"), this.lastKey);
		}
		executionContext.putLong(getExecutionContextKey("read"), this.read);
	}

	@Override
	public void close() {
		this.iterator = null;
	}

}
