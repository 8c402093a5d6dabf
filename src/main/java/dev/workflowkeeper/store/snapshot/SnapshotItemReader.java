package dev.workflowkeeper.store.snapshot;

import java.nio.file.Path;

import dev.workflowkeeper.store.BrokenInputException;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.WorkflowEntry;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;
import org.springframework.util.Assert;

/**
 * Streams the states of a snapshot file, either {@link SnapshotFormat format}, plain or
 * gzip; memory is bounded by the largest record. A bad record is thrown as a
 * {@link dev.workflowkeeper.store.RejectedRecordException} and the reader goes on with
 * the next one.
 * <p>
 * Restartable: the ExecutionContext keeps how many records were consumed (accepted and
 * rejected), the byte offset after them and a CRC-32 of the bytes before it; a restart
 * reads the file again from its start, skips that many records (only identifying them to
 * rebuild the duplicate check) and refuses a file whose skipped part is not the same. So
 * a file that broke off (truncated, a gzip cut short) can be mended — the full file put
 * back — and the run resumed where it stopped. Not thread-safe.
 */
public class SnapshotItemReader extends ItemStreamSupport implements ItemStreamReader<WorkflowEntry> {

	private static final String CONSUMED_KEY = "consumed";

	private static final String OFFSET_KEY = "offset";

	private static final String CHECKSUM_KEY = "checksum";

	private final Path path;

	private final long maxRecordSize;

	private SnapshotFormat format;

	private SnapshotInput input;

	private RecordSplitter splitter;

	private RecordDecoder decoder;

	private long consumed;

	private boolean compressed;

	/**
	 * @param name the reader's name, the prefix of its ExecutionContext keys
	 * @param path the snapshot file
	 * @param maxRecordSize a larger record is rejected, and skipped without being held in
	 * memory
	 */
	public SnapshotItemReader(String name, Path path, long maxRecordSize) {
		Assert.isTrue(maxRecordSize > 0, "maxRecordSize must be positive");
		setName(name);
		this.path = path;
		this.maxRecordSize = maxRecordSize;
	}

	@Override
	public void open(ExecutionContext executionContext) {
		this.format = SnapshotFormat.detect(this.path);
		this.input = SnapshotInput.open(this.path);
		this.compressed = this.input.gzip();
		this.splitter = this.format.splitter(this.input, this.maxRecordSize);
		this.decoder = new RecordDecoder(this.format);
		this.consumed = 0;
		long toSkip = executionContext.getLong(getExecutionContextKey(CONSUMED_KEY), 0);
		while (this.consumed < toSkip) {
			RawRecord record = next();
			if (record == null) {
				throw changed("it now holds " + this.consumed + " records, the run had read " + toSkip);
			}
			this.decoder.identify(record);
			this.consumed++;
		}
		String offsetKey = getExecutionContextKey(OFFSET_KEY);
		if (toSkip > 0 && executionContext.containsKey(offsetKey)
				&& (executionContext.getLong(offsetKey) != this.input.offset()
						|| executionContext.getLong(getExecutionContextKey(CHECKSUM_KEY)) != this.input.checksum())) {
			throw changed("its first " + toSkip + " records are not those the run read");
		}
	}

	private StoreAccessException changed(String how) {
		return new StoreAccessException("snapshot file " + this.path + " is not the one the interrupted run read ("
				+ how + "): put that file back to resume, or abandon the run in the history to start anew");
	}

	/** The next raw record; where the input breaks, says which file and which record. */
	private RawRecord next() {
		try {
			return this.splitter.next();
		}
		catch (BrokenInputException ex) {
			throw broken(ex);
		}
	}

	private BrokenInputException broken(BrokenInputException ex) {
		return new BrokenInputException(String.format("snapshot file %s breaks at record %,d (byte %,d): %s", this.path,
				this.consumed + 1, ex.offset(), ex.reason()), ex.offset(), ex.reason());
	}

	/**
	 * The next state, or {@code null} at the end of the file.
	 * @throws dev.workflowkeeper.store.RejectedRecordException for a bad record; the next
	 * call goes on
	 * @throws BrokenInputException where the file as a whole breaks (not a snapshot,
	 * truncated); the read cannot go on
	 */
	@Override
	public WorkflowEntry read() {
		Assert.state(this.splitter != null, "reader " + getName() + " is not open");
		RawRecord record = next();
		if (record == null) {
			return null;
		}
		try {
			this.consumed++;
			return this.decoder.decode(record);
		}
		catch (BrokenInputException ex) {
			this.consumed--;
			throw broken(ex);
		}
	}

	@Override
	public void update(ExecutionContext executionContext) {
		executionContext.putLong(getExecutionContextKey(CONSUMED_KEY), this.consumed);
		if (this.input != null) {
			executionContext.putLong(getExecutionContextKey(OFFSET_KEY), this.input.offset());
			executionContext.putLong(getExecutionContextKey(CHECKSUM_KEY), this.input.checksum());
		}
	}

	@Override
	public void close() {
		if (this.input != null) {
			this.input.close();
			this.input = null;
			this.splitter = null;
		}
	}

	/**
	 * Records consumed so far, accepted and rejected, counting those skipped on a
	 * restart.
	 */
	public long consumedCount() {
		return this.consumed;
	}

	/** The file's format; {@code null} until the reader is opened. */
	public SnapshotFormat format() {
		return this.format;
	}

	/** Whether the file is gzip-compressed; {@code false} until the reader is opened. */
	public boolean compressed() {
		return this.compressed;
	}

}
