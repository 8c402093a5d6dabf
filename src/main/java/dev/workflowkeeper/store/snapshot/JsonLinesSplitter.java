package dev.workflowkeeper.store.snapshot;

import dev.workflowkeeper.store.BrokenInputException;

/**
 * Cuts the lines of a JSON Lines snapshot out of the byte stream; blank lines are no
 * records. A line that does not parse costs one reject; an empty file or a compressed
 * stream that ends early is {@linkplain BrokenInputException broken}, and so is a last
 * line without its newline that does not parse (the file was cut there).
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
			if (this.input.offset() == 0 && this.input.peek() == -1) {
				this.ended = true;
				throw new BrokenInputException(0, this.input.damaged() ? DAMAGED
						: "the file is empty; a snapshot of no states holds '{}' or one blank line");
			}
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
			if (unterminated && this.input.damaged()) {
				throw new BrokenInputException(start, (this.buffer.size() > 0) ? TRUNCATED : DAMAGED);
			}
			if (blank) {
				continue;
			}
			String failure = null;
			if (this.buffer.oversized()) {
				failure = this.buffer.oversizedReason();
			}
			return new RawRecord(position, this.buffer.copy(), -1, failure, start, unterminated);
		}
		return null;
	}

}
