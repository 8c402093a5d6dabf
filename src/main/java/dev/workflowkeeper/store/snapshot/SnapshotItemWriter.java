package dev.workflowkeeper.store.snapshot;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.GZIPOutputStream;

import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.util.Assert;

/**
 * Writes a JSON Lines snapshot, published atomically: lines go to a hidden temporary file
 * next to the target, and only {@link #complete()} (the step completed) gzips it when the
 * target's name ends in {@code .gz} and renames it onto the target. A run that fails or
 * stops leaves the target as it was.
 * <p>
 * Restartable: after each chunk the temporary file is forced to disk and its length kept
 * in the ExecutionContext; a restart truncates it to that length, dropping lines of an
 * uncommitted chunk, as {@code FlatFileItemWriter} does. Not thread-safe.
 */
public class SnapshotItemWriter extends WorkflowItemWriter {

	private static final String OFFSET_KEY = "offset";

	private final Path target;

	private final Path temporary;

	private final ConflictPolicy policy;

	private FileChannel channel;

	private OutputStream out;

	/**
	 * @param name the writer's name, the prefix of its ExecutionContext keys
	 * @param target the snapshot file to publish
	 * @param policy anything but {@link ConflictPolicy#OVERWRITE} refuses an existing
	 * target
	 */
	public SnapshotItemWriter(String name, Path target, ConflictPolicy policy) {
		super(name);
		this.target = target.toAbsolutePath();
		this.temporary = this.target.resolveSibling("." + this.target.getFileName() + ".part");
		this.policy = policy;
	}

	@Override
	public void open(ExecutionContext executionContext) {
		super.open(executionContext);
		refuseExistingTarget();
		String offsetKey = getExecutionContextKey(OFFSET_KEY);
		try {
			Files.createDirectories(this.target.getParent());
			if (executionContext.containsKey(offsetKey)) {
				long offset = executionContext.getLong(offsetKey);
				if (!Files.exists(this.temporary) || Files.size(this.temporary) < offset) {
					throw new StoreAccessException("cannot restart the snapshot write: the partial file "
							+ this.temporary + " is gone or shorter than the last committed chunk; start a new run");
				}
				this.channel = FileChannel.open(this.temporary, StandardOpenOption.WRITE);
				lock();
				// lines past the last committed chunk are written again by the restarted
				// step
				this.channel.truncate(offset);
				this.channel.position(offset);
			}
			else {
				this.channel = FileChannel.open(this.temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
				lock();
				this.channel.truncate(0);
			}
			this.out = new BufferedOutputStream(Channels.newOutputStream(this.channel), 64 * 1024);
		}
		catch (IOException ex) {
			throw new StoreAccessException("cannot write snapshot file " + this.target + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Appends the chunk's lines; a chunk is encoded whole before any of it is written, so
	 * a state that cannot be written fails its chunk without leaving part of it in the
	 * file.
	 */
	@Override
	public void write(Chunk<? extends WorkflowEntry> chunk) throws IOException {
		Assert.state(this.out != null, "writer " + getName() + " is not open");
		long now = System.currentTimeMillis();
		ByteArrayOutputStream lines = new ByteArrayOutputStream(8 * 1024);
		long writtenInChunk = 0;
		long expiredInChunk = 0;
		for (WorkflowEntry entry : chunk) {
			if (entry.hasExpiry() && entry.expireAtMillis() <= now) {
				expiredInChunk++;
				continue;
			}
			try {
				JsonLinesEncoder.write(lines, entry);
			}
			catch (IllegalArgumentException ex) {
				throw new RejectedRecordException("snapshot " + this.target, entry.threadId(), ex.getMessage());
			}
			writtenInChunk++;
		}
		lines.writeTo(this.out);
		this.written.addAndGet(writtenInChunk);
		this.expired.addAndGet(expiredInChunk);
	}

	@Override
	public void update(ExecutionContext executionContext) {
		super.update(executionContext);
		if (this.channel != null) {
			try {
				this.out.flush();
				// the offset must never point past what is on disk, or a restart would
				// leave a hole
				this.channel.force(false);
				executionContext.putLong(getExecutionContextKey(OFFSET_KEY), this.channel.position());
			}
			catch (IOException ex) {
				throw new StoreAccessException("cannot write snapshot file " + this.temporary + ": " + ex.getMessage(),
						ex);
			}
		}
	}

	/**
	 * Publishes the file: gzip when the target asks for it, then an atomic rename onto
	 * the target.
	 */
	@Override
	protected void complete() {
		Assert.state(this.channel != null, "writer " + getName() + " is not open");
		refuseExistingTarget();
		try {
			this.out.flush();
			if (this.channel.size() == 0) {
				// an empty file reads as one cut off before its first byte: a snapshot of
				// no states is one blank line
				this.out.write('\n');
				this.out.flush();
			}
			this.channel.force(true);
			closeChannel();
			Path published = this.temporary;
			if (this.target.getFileName().toString().endsWith(".gz")) {
				published = gzip(this.temporary);
			}
			Files.move(published, this.target, StandardCopyOption.ATOMIC_MOVE);
			Files.deleteIfExists(this.temporary);
		}
		catch (IOException ex) {
			throw new StoreAccessException("cannot publish snapshot file " + this.target + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Closes the file; without {@link #complete()} the target stays untouched and the
	 * partial file stays for a restart.
	 */
	@Override
	public void close() {
		try {
			closeChannel();
		}
		catch (IOException ex) {
			throw new StoreAccessException("cannot close snapshot file " + this.temporary + ": " + ex.getMessage(), ex);
		}
	}

	/** The file being written until {@link #complete()} publishes it. */
	public Path temporaryFile() {
		return this.temporary;
	}

	private Path gzip(Path plain) throws IOException {
		Path compressed = this.target.resolveSibling("." + this.target.getFileName() + ".publish");
		try (InputStream in = Files.newInputStream(plain);
				FileChannel gzChannel = FileChannel.open(compressed, StandardOpenOption.CREATE,
						StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
				GZIPOutputStream gz = new GZIPOutputStream(Channels.newOutputStream(gzChannel), 64 * 1024)) {
			in.transferTo(gz);
			gz.finish();
			gz.flush();
			gzChannel.force(true);
		}
		return compressed;
	}

	private void refuseExistingTarget() {
		if (this.policy != ConflictPolicy.OVERWRITE && Files.exists(this.target)) {
			throw new StoreAccessException(
					"snapshot file " + this.target + " exists already: remove it or use --on-conflict overwrite");
		}
	}

	/**
	 * Two runs writing the same file would interleave their lines in one temporary file.
	 */
	private void lock() throws IOException {
		boolean locked;
		try {
			locked = this.channel.tryLock() != null;
		}
		catch (OverlappingFileLockException ex) {
			locked = false;
		}
		if (!locked) {
			closeChannel();
			throw new StoreAccessException(
					"snapshot file " + this.target + " is being written by another run: wait for it to end");
		}
	}

	private void closeChannel() throws IOException {
		if (this.channel != null) {
			try {
				if (this.out != null) {
					this.out.flush();
				}
			}
			finally {
				this.channel.close();
				this.channel = null;
				this.out = null;
			}
		}
	}

}
