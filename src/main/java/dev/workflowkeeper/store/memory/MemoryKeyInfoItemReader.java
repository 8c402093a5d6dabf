package dev.workflowkeeper.store.memory;

import java.util.Collections;
import java.util.Iterator;
import java.util.Map;

import dev.workflowkeeper.store.MaintainableStore.KeyInfo;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;
import org.springframework.util.Assert;

/**
 * Reads the live keys under a key prefix of the {@link MemoryWorkflowStore} in key order, as a
 * maintenance scan sees them: every key is a {@code string} with an expiry, and its memory is
 * {@link MemoryMaintenance#estimateMemory an estimate}. A key equal to the prefix names no thread id
 * and is passed over. States written meanwhile may or may not be seen, as with Redis SCAN.
 * <p>
 * Restartable: the ExecutionContext keeps, under the reader's name, the {@code lastKey} read and the
 * count {@code read}; a restart goes on after that key. Not thread-safe.
 */
class MemoryKeyInfoItemReader extends ItemStreamSupport implements ItemStreamReader<KeyInfo> {

	private final MemoryWorkflowStore store;

	private final String keyPrefix;

	private final boolean withValues;

	private Iterator<Map.Entry<String, MemoryWorkflowStore.Stored>> iterator;

	private String lastKey;

	private long read;

	MemoryKeyInfoItemReader(String name, MemoryWorkflowStore store, String keyPrefix, boolean withValues) {
		setName(name);
		this.store = store;
		this.keyPrefix = keyPrefix;
		this.withValues = withValues;
	}

	@Override
	public void open(ExecutionContext context) {
		this.lastKey = context.getString(getExecutionContextKey("lastKey"), null);
		this.read = context.getLong(getExecutionContextKey("read"), 0);
		this.iterator = this.store.range(this.keyPrefix, this.lastKey).entrySet().iterator();
	}

	@Override
	public KeyInfo read() {
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
			return new KeyInfo(key, key.substring(this.keyPrefix.length()), "string",
					MemoryMaintenance.estimateMemory(key, stored.value()), stored.expireAtMillis(),
					this.withValues ? stored.value() : null);
		}
		return null;
	}

	@Override
	public void update(ExecutionContext context) {
		if (this.lastKey != null) {
			context.putString(getExecutionContextKey("lastKey"), this.lastKey);
		}
		context.putLong(getExecutionContextKey("read"), this.read);
	}

	@Override
	public void close() {
		this.iterator = null;
	}

}
