package dev.workflowkeeper.store;

/**
 * A source record that cannot be migrated as it is. Readers throw it for one record and
 * stay usable; the step skips it into the rejects report with its position and reason.
 */
public class RejectedRecordException extends RuntimeException {

	private final String position;

	private final String threadId;

	private final String reason;

	/**
	 * @param position where the record stands in its source ("line 12", "offset 4096",
	 * "key …")
	 * @param threadId the record's thread id when it could be read, else {@code null}
	 * @param reason why it is rejected, one line
	 */
	public RejectedRecordException(String position, String threadId, String reason) {
		super(position + (threadId != null ? " (thread " + threadId + ")" : "") + ": " + reason);
		this.position = position;
		this.threadId = threadId;
		this.reason = reason;
	}

	public String position() {
		return this.position;
	}

	public String threadId() {
		return this.threadId;
	}

	public String reason() {
		return this.reason;
	}

}
