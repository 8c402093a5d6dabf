package dev.workflowkeeper.store.snapshot;

/**
 * Cuts the records of one snapshot format out of a {@link SnapshotInput}, without
 * decoding them. After a bad record it stands at the start of the next one, so one bad
 * record costs one reject. Where the input as a whole breaks (it is not a snapshot, or it
 * ends early) the splitter throws a {@link dev.workflowkeeper.store.BrokenInputException}
 * instead: that is no record to skip.
 * <p>
 * Not thread-safe.
 */
interface RecordSplitter {

	/** Truncation shows as this reason. */
	String TRUNCATED = "truncated file: the input ends inside this record";

	/** A compressed stream that breaks off, or fails its check, between records. */
	String DAMAGED = "truncated file: the compressed stream ends early or is damaged";

	/**
	 * The next record, or {@code null} at the end of input.
	 * @throws dev.workflowkeeper.store.BrokenInputException where the input breaks
	 */
	RawRecord next();

}
