package dev.workflowkeeper.store;

/**
 * The source as a whole is broken where a reader stands: not JSON at all, a JSON array,
 * an empty file, a map or a compressed stream that ends early. Unlike a
 * {@link RejectedRecordException}, it is never skipped: the run fails there, keeps what
 * its committed chunks copied, and resumes from them once the input is mended.
 */
public class BrokenInputException extends RuntimeException {

	private final long offset;

	private final String reason;

	/**
	 * @param offset where the input breaks, in bytes from its start (uncompressed)
	 * @param reason what is wrong there, one line
	 */
	public BrokenInputException(long offset, String reason) {
		this(String.format("the input breaks at byte %,d: %s", offset, reason), offset, reason);
	}

	/**
	 * @param message the one line a user reads
	 * @param offset where the input breaks, in bytes from its start (uncompressed)
	 * @param reason what is wrong there, one line
	 */
	public BrokenInputException(String message, long offset, String reason) {
		super(message);
		this.offset = offset;
		this.reason = reason;
	}

	public long offset() {
		return this.offset;
	}

	public String reason() {
		return this.reason;
	}

}
