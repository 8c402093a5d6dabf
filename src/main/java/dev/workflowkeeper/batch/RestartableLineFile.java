package dev.workflowkeeper.batch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;

/**
 * A file a step appends lines to (a report, an archive): its length and line count are
 * kept in the ExecutionContext at every chunk commit, and the file is cut back to that
 * length when the step restarts, so that a line written in a chunk that rolled back is
 * not there twice. Not thread-safe.
 */
public class RestartableLineFile extends ItemStreamSupport {

	private final Path file;

	private FileChannel channel;

	private long lines;

	private long syncedLines = -1;

	private final boolean keepEmpty;

	public RestartableLineFile(String name, Path file) {
		this(name, file, true);
	}

	/**
	 * @param keepEmpty whether the file stays when no line was written (else it is
	 * removed on close)
	 */
	public RestartableLineFile(String name, Path file, boolean keepEmpty) {
		this.file = file;
		this.keepEmpty = keepEmpty;
		setName(name);
	}

	public Path file() {
		return this.file;
	}

	public long lines() {
		return this.lines;
	}

	@Override
	public void open(ExecutionContext executionContext) {
		try {
			Files.createDirectories(this.file.toAbsolutePath().getParent());
			this.channel = FileChannel.open(this.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
			long length = executionContext.getLong(getExecutionContextKey("length"), 0);
			this.lines = executionContext.getLong(getExecutionContextKey("count"), 0);
			this.channel.truncate(length);
			this.channel.position(length);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot open " + this.file, ex);
		}
	}

	/** Appends one line (a line break is added). */
	public void append(String line) {
		ByteBuffer buffer = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
		try {
			while (buffer.hasRemaining()) {
				this.channel.write(buffer);
			}
			this.lines++;
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + this.file, ex);
		}
	}

	@Override
	public void update(ExecutionContext executionContext) {
		try {
			if (this.lines != this.syncedLines) {
				// Only a chunk that added lines needs the file on disk before its commit.
				this.channel.force(false);
				this.syncedLines = this.lines;
			}
			executionContext.putLong(getExecutionContextKey("length"), this.channel.position());
			executionContext.putLong(getExecutionContextKey("count"), this.lines);
			executionContext.putString(getExecutionContextKey("file"), this.file.toString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + this.file, ex);
		}
	}

	@Override
	public void close() {
		try {
			if (this.channel != null) {
				boolean empty = this.channel.size() == 0;
				this.channel.close();
				this.channel = null;
				if (empty && !this.keepEmpty) {
					Files.deleteIfExists(this.file);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
