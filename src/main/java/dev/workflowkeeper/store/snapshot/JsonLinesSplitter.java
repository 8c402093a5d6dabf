package dev.workflowkeeper.store.snapshot;

/**
 * Cuts the lines of a JSON Lines snapshot out of the byte stream; blank lines are no
 * records.
 * <p>
 * Not thread-safe.
 */
final class JsonLinesSplitter implements RecordSplitter {

	private final SnapshotInput input;

	private final RecordBuffer buffer;

	private boolean ended;

	JsonLinesSplitter(SnapshotInput input, long maxRecordSize) {
		this.input = input;
		this.buffer = new RecordBuffer(maxRecordSize);
	}

	@Override
	public RawRecord next() {
		while (!this.ended) {
			long start = this.input.offset();
			String position = "line " + this.input.line();
			this.buffer.reset();
			boolean blank = true;
			int c;
			while ((c = this.input.read()) != -1 && c != '\n') {
				this.buffer.append(c);
				blank &= (c == ' ' || c == '\t' || c == '\r');
			}
			boolean unterminated = (c == -1);
			this.ended = unterminated;
			if (blank) {
				if (unterminated && this.input.damaged()) {
					return RawRecord.failed(position, start, (this.buffer.size() > 0) ? TRUNCATED : DAMAGED);
				}
				continue;
			}
			String failure = null;
			if (unterminated && this.input.damaged()) {
				failure = TRUNCATED;
			}
			else if (this.buffer.oversized()) {
				failure = this.buffer.oversizedReason();
			}
			return new RawRecord(position, this.buffer.copy(), -1, failure, start, unterminated);
		}
		return null;
	}

}
