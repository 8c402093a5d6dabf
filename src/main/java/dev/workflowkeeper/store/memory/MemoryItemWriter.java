package dev.workflowkeeper.store.memory;

import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;

import org.springframework.batch.infrastructure.item.Chunk;

/**
 * Writes states under a key prefix of the {@link MemoryWorkflowStore}, resolving each
 * conflict atomically by its {@link ConflictPolicy}: an expired state counts as absent,
 * and {@code NEWER} compares {@code updated_at} under the key's lock. A state already
 * expired when it arrives is counted and not stored; one without expiry fails the chunk.
 * The chunk is durable (journaled and fsynced) when {@code write} returns.
 * <p>
 * Idempotent per chunk; thread-safe.
 */
class MemoryItemWriter extends WorkflowItemWriter {

	private final MemoryWorkflowStore store;

	private final String keyPrefix;

	private final ConflictPolicy policy;

	MemoryItemWriter(String name, MemoryWorkflowStore store, String keyPrefix, ConflictPolicy policy) {
		super(name);
		this.store = store;
		this.keyPrefix = keyPrefix;
		this.policy = policy;
	}

	@Override
	public void write(Chunk<? extends WorkflowEntry> chunk) {
		long now = System.currentTimeMillis();
		for (WorkflowEntry entry : chunk) {
			String key = this.keyPrefix + entry.threadId();
			MemoryWorkflowStore.Stored incoming = this.store.stored(key, entry.value(), entry.expireAtMillis());
			if (incoming.expiredAt(now)) {
				this.expired.incrementAndGet();
				continue;
			}
			MemoryWorkflowStore.Stored result = this.store.update(key, (existing) -> switch (this.policy) {
				case OVERWRITE -> incoming;
				case SKIP -> (existing == null || existing.expiredAt(now)) ? incoming : existing;
				case NEWER ->
					(existing == null || existing.expiredAt(now) || newer(incoming, existing)) ? incoming : existing;
			});
			if (result == incoming) {
				this.written.incrementAndGet();
			}
			else {
				this.keptExisting.incrementAndGet();
			}
		}
		// durable before the chunk commits: a crash after the commit loses none of it
		this.store.sync();
	}

	/**
	 * Whether the incoming state is strictly newer. One without a readable
	 * {@code updated_at} never replaces a state; one with it replaces a state without.
	 */
	private static boolean newer(MemoryWorkflowStore.Stored incoming, MemoryWorkflowStore.Stored existing) {
		long incomingAt = updatedAt(incoming);
		if (incomingAt == StateFields.UNKNOWN) {
			return false;
		}
		long existingAt = updatedAt(existing);
		return existingAt == StateFields.UNKNOWN || incomingAt > existingAt;
	}

	private static long updatedAt(MemoryWorkflowStore.Stored stored) {
		StateFields fields = StateFields.read(stored.value());
		return (fields != null) ? fields.updatedAtMillis() : StateFields.UNKNOWN;
	}

}
