package dev.workflowkeeper.store.snapshot;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import dev.workflowkeeper.store.BrokenInputException;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.store.WorkflowStore;

import org.springframework.util.unit.DataSize;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * A snapshot file as a store: read as either {@link SnapshotFormat}, plain or gzip;
 * written as JSON Lines, published atomically when the step completes. Holds no
 * connection: {@link #close()} has nothing to release.
 */
public class SnapshotWorkflowStore implements WorkflowStore {

	/**
	 * File bytes sampled from the start for {@link #estimateCount()}: far more than the
	 * read-ahead buffers, whose bytes are counted as read before their records are.
	 */
	private static final long ESTIMATE_SAMPLE_BYTES = 2 * 1024 * 1024;

	private final Path path;

	private final long maxRecordSize;

	/**
	 * A snapshot file.
	 * @param maxRecordSize a larger record is rejected
	 * ({@code keeper.migration.max-record-size})
	 */
	public SnapshotWorkflowStore(Path path, DataSize maxRecordSize) {
		this.path = path;
		this.maxRecordSize = maxRecordSize.toBytes();
	}

	@Override
	public String describe() {
		return "snapshot:" + this.path;
	}

	/**
	 * JSON Lines carry expiries, the map does not; a file not written yet will be JSON
	 * Lines.
	 */
	@Override
	public boolean holdsExpiries() {
		return !Files.exists(this.path) || format() == SnapshotFormat.JSON_LINES;
	}

	/**
	 * The file's format.
	 * @throws StoreAccessException when the file does not exist or cannot be read
	 */
	public SnapshotFormat format() {
		return SnapshotFormat.detect(this.path);
	}

	/**
	 * One {@link SnapshotItemReader}; the file is opened, and its format detected, by
	 * {@code open}.
	 */
	@Override
	public List<ItemStreamReader<WorkflowEntry>> readers(String name) {
		return List.of(new SnapshotItemReader(name, this.path, this.maxRecordSize));
	}

	/**
	 * A {@link SnapshotItemWriter}; it must also listen to its step, whose completion
	 * publishes the file.
	 */
	/**
	 * A snapshot is written to a new file beside the target and renamed onto it: refused
	 * when the target is a directory, exists and {@code policy} does not overwrite, or
	 * its directory cannot be written.
	 */
	@Override
	public void checkWritable(ConflictPolicy policy) {
		if (Files.isDirectory(this.path)) {
			throw new StoreAccessException(
					"snapshot:" + this.path + " is a directory: give the path of a file to write");
		}
		if (Files.exists(this.path) && policy != ConflictPolicy.OVERWRITE) {
			throw new StoreAccessException("snapshot file " + this.path
					+ " exists already: remove it, give another file, or use --on-conflict overwrite");
		}
		Path parent = this.path.toAbsolutePath().getParent();
		while (parent != null && !Files.exists(parent)) {
			parent = parent.getParent();
		}
		if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
			throw new StoreAccessException(
					"cannot write snapshot file " + this.path + ": " + ((parent == null || !Files.isDirectory(parent))
							? "no such directory" : parent + " is not writable"));
		}
	}

	@Override
	public WorkflowItemWriter writer(String name, ConflictPolicy policy) {
		return new SnapshotItemWriter(name, this.path, policy);
	}

	/**
	 * Extrapolates from the records in the first 2 MB of the file: their count times the
	 * file size over the file bytes they took (compressed bytes for gzip). Exact for a
	 * smaller file.
	 */
	@Override
	public long estimateCount() {
		if (!Files.isReadable(this.path)) {
			return -1;
		}
		SnapshotFormat format;
		try {
			format = format();
		}
		catch (StoreAccessException ex) {
			return -1;
		}
		try (SnapshotInput input = SnapshotInput.open(this.path)) {
			RecordSplitter splitter = format.splitter(input, this.maxRecordSize);
			long records = 0;
			while (input.rawBytesRead() < ESTIMATE_SAMPLE_BYTES) {
				try {
					if (splitter.next() == null) {
						return records;
					}
				}
				catch (BrokenInputException ex) {
					// the reader fails the run there, in its own words; an estimate is
					// all
					// this is
					return records;
				}
				records++;
			}
			long fileSize = Files.size(this.path);
			long sampled = Math.max(1, input.rawBytesRead());
			return Math.max(records, Math.round((double) records * fileSize / sampled));
		}
		catch (StoreAccessException | IOException ex) {
			return -1;
		}
	}

	@Override
	public void close() {
	}

}
