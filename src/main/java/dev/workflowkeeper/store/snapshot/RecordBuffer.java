package dev.workflowkeeper.store.snapshot;

import java.util.Arrays;

/**
 * A growable byte buffer that keeps at most {@code limit} bytes and counts the rest: an
 * oversized record is measured and skipped, never held in memory.
 * <p>
 * Not thread-safe.
 */
final class RecordBuffer {

	private final long limit;

	private byte[] bytes = new byte[8 * 1024];

	private int kept;

	private long size;

	RecordBuffer(long limit) {
		this.limit = limit;
	}

	void reset() {
		this.kept = 0;
		this.size = 0;
	}

	void append(int b) {
		if (this.size < this.limit) {
			if (this.kept == this.bytes.length) {
				this.bytes = Arrays.copyOf(this.bytes,
						(int) Math.min(Math.min(this.limit, Integer.MAX_VALUE - 8), this.bytes.length * 2L));
			}
			this.bytes[this.kept++] = (byte) b;
		}
		this.size++;
	}

	/** Appends {@code length} bytes; the part past the limit is only counted. */
	void append(byte[] source, int from, int length) {
		long room = Math.max(0, this.limit - this.size);
		int kept = (int) Math.min(room, length);
		if (kept > 0) {
			if (this.kept + kept > this.bytes.length) {
				long grown = Math.max(this.kept + (long) kept, this.bytes.length * 2L);
				this.bytes = Arrays.copyOf(this.bytes,
						(int) Math.min(Math.min(this.limit, Integer.MAX_VALUE - 8), grown));
			}
			System.arraycopy(source, from, this.bytes, this.kept, kept);
			this.kept += kept;
		}
		this.size += length;
	}

	long size() {
		return this.size;
	}

	int kept() {
		return this.kept;
	}

	boolean oversized() {
		return this.size > this.limit;
	}

	byte[] copy() {
		return Arrays.copyOf(this.bytes, this.kept);
	}

	String oversizedReason() {
		return "record of " + this.size + " bytes exceeds the limit of " + this.limit
				+ " bytes (keeper.migration.max-record-size)";
	}

}
