package dev.workflowkeeper.migration;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;

import org.springframework.batch.core.listener.SkipListener;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;

import tools.jackson.databind.json.JsonMapper;

/**
 * The rejects file of a migration: one JSON line per record that was not migrated, with its
 * position in the source, its thread id and the reason. Kept beside the job history
 * ({@code data/rejects/}); its length is kept in the ExecutionContext and the file is cut back to it
 * on restart, so a record rejected in a chunk that rolled back is not reported twice.
 */
public class RejectsReport extends ItemStreamSupport implements SkipListener<WorkflowEntry, WorkflowEntry> {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Path file;

	private FileChannel channel;

	private long count;

	private long forcedCount = -1;

	public RejectsReport(Path file) {
		this.file = file;
		setName("rejects");
	}

	public Path file() {
		return this.file;
	}

	public long count() {
		return this.count;
	}

	@Override
	public void open(ExecutionContext executionContext) {
		try {
			Files.createDirectories(this.file.getParent());
			this.channel = FileChannel.open(this.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
			long length = executionContext.getLong(getExecutionContextKey("length"), 0);
			this.count = executionContext.getLong(getExecutionContextKey("count"), 0);
			this.channel.truncate(length);
			this.channel.position(length);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot open the rejects file " + this.file, ex);
		}
	}

	@Override
	public void update(ExecutionContext executionContext) {
		try {
			if (this.count != this.forcedCount) {
				// Only a chunk that rejected something needs the file on disk before its commit.
				this.channel.force(false);
				this.forcedCount = this.count;
			}
			executionContext.putLong(getExecutionContextKey("length"), this.channel.position());
			executionContext.putLong(getExecutionContextKey("count"), this.count);
			executionContext.putString(getExecutionContextKey("file"), this.file.toString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the rejects file " + this.file, ex);
		}
	}

	@Override
	public void close() {
		try {
			if (this.channel != null) {
				this.channel.close();
				this.channel = null;
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
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
		byte[] bytes = (JSON.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8);
		try {
			ByteBuffer buffer = ByteBuffer.wrap(bytes);
			while (buffer.hasRemaining()) {
				this.channel.write(buffer);
			}
			this.count++;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write the rejects file " + this.file, ex);
		}
	}

}
