package dev.workflowkeeper.generate;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPOutputStream;

import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Writes states as the workflow service's {@code json.dump} of its in-memory dict does:
 * one JSON object {@code {"thread_id": state, …}}, without expiries. Written to a
 * temporary file, kept restartable by its length in the ExecutionContext, and renamed
 * onto the target (gzipped for {@code .gz}) once the step completed. Not thread-safe.
 */
class SnapshotMapItemWriter extends WorkflowItemWriter {

	private final Path target;

	private final Path temporary;

	private FileChannel channel;

	SnapshotMapItemWriter(Path target) {
		super("target");
		this.target = target;
		this.temporary = target.resolveSibling("." + target.getFileName() + ".part");
	}

	@Override
	public void open(ExecutionContext executionContext) {
		super.open(executionContext);
		try {
			Path parent = this.target.toAbsolutePath().getParent();
			Files.createDirectories(parent);
			this.channel = FileChannel.open(this.temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
			long length = executionContext.getLong(getExecutionContextKey("length"), 0);
			this.channel.truncate(length);
			this.channel.position(length);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + this.temporary, ex);
		}
	}

	@Override
	public void write(Chunk<? extends WorkflowEntry> chunk) throws IOException {
		StringBuilder text = new StringBuilder();
		boolean first = this.channel.position() == 0;
		for (WorkflowEntry entry : chunk) {
			text.append(first ? "{" : ", ")
				.append('"')
				.append(entry.threadId())
				.append("\": ")
				.append(entry.valueAsString());
			first = false;
			this.written.incrementAndGet();
		}
		ByteBuffer buffer = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
		while (buffer.hasRemaining()) {
			this.channel.write(buffer);
		}
	}

	@Override
	public void update(ExecutionContext executionContext) {
		super.update(executionContext);
		try {
			this.channel.force(false);
			executionContext.putLong(getExecutionContextKey("length"), this.channel.position());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + this.temporary, ex);
		}
	}

	@Override
	protected void complete() {
		try {
			ByteBuffer end = ByteBuffer
				.wrap(((this.channel.position() == 0) ? "{}" : "}").getBytes(StandardCharsets.UTF_8));
			this.channel.write(end);
			this.channel.close();
			this.channel = null;
			if (this.target.getFileName().toString().endsWith(".gz")) {
				Path zipped = this.temporary.resolveSibling(this.temporary.getFileName() + ".gz");
				try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(zipped), 1 << 16)) {
					Files.copy(this.temporary, out);
				}
				Files.delete(this.temporary);
				Files.move(zipped, this.target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
			}
			else {
				Files.move(this.temporary, this.target, StandardCopyOption.REPLACE_EXISTING,
						StandardCopyOption.ATOMIC_MOVE);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot publish " + this.target, ex);
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

}
