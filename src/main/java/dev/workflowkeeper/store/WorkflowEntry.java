package dev.workflowkeeper.store;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One workflow state as it travels between stores.
 *
 * @param threadId the workflow's thread id (the key without its prefix)
 * @param value the state exactly as stored: raw bytes from Redis, compact UTF-8 JSON from
 * a snapshot
 * @param expireAtMillis absolute expiry in epoch milliseconds, or {@link #NO_EXPIRY}
 */
public record WorkflowEntry(String threadId, byte[] value, long expireAtMillis) {

	/** Marks a state that has no expiry in its source. */
	public static final long NO_EXPIRY = -1;

	public WorkflowEntry {
		Objects.requireNonNull(threadId, "threadId");
		Objects.requireNonNull(value, "value");
	}

	public boolean hasExpiry() {
		return this.expireAtMillis != NO_EXPIRY;
	}

	public WorkflowEntry withExpireAt(long expireAtMillis) {
		return new WorkflowEntry(this.threadId, this.value, expireAtMillis);
	}

	public WorkflowEntry withThreadId(String threadId) {
		return new WorkflowEntry(threadId, this.value, this.expireAtMillis);
	}

	public String valueAsString() {
		return new String(this.value, StandardCharsets.UTF_8);
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof WorkflowEntry that && this.threadId.equals(that.threadId)
				&& Arrays.equals(this.value, that.value) && this.expireAtMillis == that.expireAtMillis;
	}

	@Override
	public int hashCode() {
		return 31 * this.threadId.hashCode() + Arrays.hashCode(this.value);
	}

	@Override
	public String toString() {
		return "WorkflowEntry[" + this.threadId + ", " + this.value.length + " bytes, expireAt=" + this.expireAtMillis
				+ "]";
	}

}
