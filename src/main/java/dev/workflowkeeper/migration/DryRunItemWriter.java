package dev.workflowkeeper.migration;

import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;

import org.springframework.batch.infrastructure.item.Chunk;

/**
 * The writer of {@code --dry-run}: writes nothing and counts what would have been
 * written.
 */
class DryRunItemWriter extends WorkflowItemWriter {

	private final long nowMillis;

	DryRunItemWriter(long nowMillis) {
		super("target");
		this.nowMillis = nowMillis;
	}

	@Override
	public void write(Chunk<? extends WorkflowEntry> chunk) {
		for (WorkflowEntry entry : chunk) {
			if (entry.expireAtMillis() <= this.nowMillis) {
				this.expired.incrementAndGet();
			}
			else {
				this.written.incrementAndGet();
			}
		}
	}

}
