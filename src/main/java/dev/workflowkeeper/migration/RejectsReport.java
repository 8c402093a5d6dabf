package dev.workflowkeeper.migration;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.workflowkeeper.batch.RestartableLineFile;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;

import org.springframework.batch.core.listener.SkipListener;

import tools.jackson.databind.json.JsonMapper;

/**
 * The rejects file of a migration: one JSON line per record that was not migrated, with
 * its position in the source, its thread id and the reason. Kept beside the job history
 * ({@code data/rejects/}); restartable like every {@link RestartableLineFile}, so a
 * record rejected in a chunk that rolled back is not reported twice. A run that rejects
 * nothing leaves no file.
 */
public class RejectsReport extends RestartableLineFile implements SkipListener<WorkflowEntry, WorkflowEntry> {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	public RejectsReport(Path file) {
		super("rejects", file, false);
	}

	public long count() {
		return lines();
	}

	@Override
	public void onSkipInRead(Throwable cause) {
		record(cause, null);
	}

	@Override
	public void onSkipInProcess(WorkflowEntry item, Throwable cause) {
		record(cause, item.threadId());
	}

	@Override
	public void onSkipInWrite(WorkflowEntry item, Throwable cause) {
		record(cause, item.threadId());
	}

	private void record(Throwable cause, String threadId) {
		Map<String, Object> line = new LinkedHashMap<>();
		if (cause instanceof RejectedRecordException rejected) {
			line.put("position", rejected.position());
			line.put("threadId", (rejected.threadId() != null) ? rejected.threadId() : threadId);
			line.put("reason", rejected.reason());
		}
		else {
			line.put("position", null);
			line.put("threadId", threadId);
			line.put("reason", StoreUri.mask(String.valueOf(cause.getMessage())));
		}
		append(JSON.writeValueAsString(line));
	}

}
