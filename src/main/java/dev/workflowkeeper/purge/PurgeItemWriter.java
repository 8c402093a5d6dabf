package dev.workflowkeeper.purge;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.batch.RestartableLineFile;
import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeyValue;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ItemWriter;

import tools.jackson.databind.json.JsonMapper;

/**
 * Deletes the states judged stale, after archiving them: the archive writer gets the
 * chunk first, then each key is deleted only if its value is still exactly the judged one
 * (compare-and-delete), so a workflow the service touched meanwhile survives. The archive
 * may therefore hold a few states that were not deleted; restoring it with the default
 * {@code skip} policy leaves those untouched. Values that are not JSON objects (deleted
 * only when asked) go to a second archive, base64-encoded.
 */
class PurgeItemWriter implements ItemWriter<KeyInfo> {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final MaintainableStore store;

	private final WorkflowItemWriter archive;

	private final RestartableLineFile rawArchive;

	private final StepCounters counters;

	/**
	 * @param archive where the states go before they are deleted, or {@code null} for
	 * none
	 * @param rawArchive where values that are not JSON objects go before they are deleted
	 * (base64, with their key and expiry), or {@code null} for none
	 */
	PurgeItemWriter(MaintainableStore store, WorkflowItemWriter archive, RestartableLineFile rawArchive,
			StepCounters counters) {
		this.store = store;
		this.archive = archive;
		this.rawArchive = rawArchive;
		this.counters = counters;
	}

	@Override
	public void write(Chunk<? extends KeyInfo> chunk) throws Exception {
		if (this.archive != null) {
			List<WorkflowEntry> entries = new ArrayList<>(chunk.size());
			for (KeyInfo key : chunk) {
				if (key.fields() != null) {
					entries.add(new WorkflowEntry(key.threadId(), key.value(), key.expireAtMillis()));
				}
				else if (this.rawArchive != null) {
					Map<String, Object> line = new LinkedHashMap<>();
					line.put("key", key.key());
					line.put("valueBase64", Base64.getEncoder().encodeToString(key.value()));
					line.put("expireAtMillis", key.expireAtMillis());
					this.rawArchive.append(JSON.writeValueAsString(line));
					this.counters.increment(PurgeFigures.ARCHIVED);
				}
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
			this.counters.increment(deleted ? PurgeFigures.DELETED : PurgeFigures.CHANGED_MEANWHILE);
		}
	}

}
