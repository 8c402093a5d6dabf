package dev.workflowkeeper.purge;

import java.util.ArrayList;
import java.util.List;

import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeyValue;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

/**
 * Deletes the states judged stale, after archiving them: the archive writer gets the chunk first, then
 * each key is deleted only if its value is still exactly the judged one (compare-and-delete), so a
 * workflow the service touched meanwhile survives. The archive may therefore hold a few states that
 * were not deleted; restoring it with the default {@code skip} policy leaves those untouched.
 */
class PurgeItemWriter implements ItemWriter<KeyInfo> {

	private final MaintainableStore store;

	private final WorkflowItemWriter archive;

	private final StepCounters counters;

	/**
	 * @param archive where the states go before they are deleted, or {@code null} for none
	 */
	PurgeItemWriter(MaintainableStore store, WorkflowItemWriter archive, StepCounters counters) {
		this.store = store;
		this.archive = archive;
		this.counters = counters;
	}

	@Override
	public void write(Chunk<? extends KeyInfo> chunk) throws Exception {
		if (this.archive != null) {
			List<WorkflowEntry> entries = new ArrayList<>(chunk.size());
			for (KeyInfo key : chunk) {
				entries.add(new WorkflowEntry(key.threadId(), key.value(), key.expireAtMillis()));
			}
			long before = this.archive.counts().written();
			this.archive.write(new Chunk<>(entries));
			this.counters.add("archived", this.archive.counts().written() - before);
		}
		List<KeyValue> judged = new ArrayList<>(chunk.size());
		for (KeyInfo key : chunk) {
			judged.add(new KeyValue(key.key(), key.value()));
		}
		for (Boolean deleted : this.store.deleteIfUnchanged(judged)) {
			this.counters.increment(deleted ? "deleted" : "changedMeanwhile");
		}
	}

}
