package dev.workflowkeeper.store.snapshot;

import dev.workflowkeeper.store.BrokenInputException;

/**
 * Cuts the members of a JSON object map ({@code {"thread_id": {state}, …}}, as Python's
 * {@code json.dump} writes the service's dict) out of the byte stream: a member ends at
 * the first comma or closing brace outside any string and nested value. Only ASCII bytes
 * are structural, so invalid UTF-8 inside a member cannot mislead the cut; it is the
 * decoder's business. A member that follows a whole value without a comma is cut where
 * its key starts and rejected, so the missing comma costs one reject and loses nothing;
 * an input that is not a map, or ends inside it, is {@linkplain BrokenInputException
 * broken}.
 * <p>
 * Not thread-safe.
 */
final class JsonMapSplitter implements RecordSplitter {

	private enum State {

		START, MEMBERS, AFTER_MAP, ENDED

	}

	private static final String EXPECTED = "neither a JSON object of states ({\"thread_id\": {state}, …}) nor JSON Lines";

	/** The reason of a member that follows the previous one without a comma. */
	static final String MISSING_COMMA = "malformed JSON: a ',' is missing between the previous member and this one";

	private final SnapshotInput input;

	private final RecordBuffer buffer;

	private State state = State.START;

	/** Whether the member being cut follows the previous one without a comma. */
	private boolean missingComma;

	JsonMapSplitter(SnapshotInput input, long maxRecordSize) {
		this.input = input;
		this.buffer = new RecordBuffer(maxRecordSize);
	}

	@Override
	public RawRecord next() {
		while (true) {
			switch (this.state) {
				case START -> {
					skipByteOrderMark();
					skipWhitespace();
					int c = this.input.peek();
					if (c == -1) {
						this.state = State.ENDED;
						throw broken(this.input.damaged() ? DAMAGED
								: "the file is empty; a snapshot of no states holds '{}'");
					}
					if (c != '{') {
						this.state = State.ENDED;
						throw broken((c == '[') ? "the file holds a JSON array, " + EXPECTED
								: "the file is not JSON, " + EXPECTED);
					}
					this.input.read();
					this.state = State.MEMBERS;
				}
				case MEMBERS -> {
					skipWhitespace();
					int c = this.input.peek();
					if (c == -1) {
						this.state = State.ENDED;
						throw broken(this.input.damaged() ? DAMAGED
								: "truncated file: the map ends without its closing brace");
					}
					if (c == '}') {
						this.input.read();
						this.state = State.AFTER_MAP;
					}
					else {
						return member();
					}
				}
				case AFTER_MAP -> {
					skipWhitespace();
					if (this.input.peek() == -1) {
						this.state = State.ENDED;
						if (this.input.damaged()) {
							throw broken(DAMAGED);
						}
						return null;
					}
					this.state = State.ENDED;
					throw broken("malformed JSON: unexpected content after the end of the map");
				}
				case ENDED -> {
					return null;
				}
			}
		}
	}

	private BrokenInputException broken(String reason) {
		return new BrokenInputException(this.input.offset(), reason);
	}

	private RawRecord member() {
		long start = this.input.offset();
		String position = position();
		this.buffer.reset();
		boolean startsWithQuote = this.input.peek() == '"';
		boolean afterMissingComma = this.missingComma;
		this.missingComma = false;
		long keyEnd = -1;
		int depth = 0;
		boolean inString = false;
		boolean escape = false;
		boolean afterColon = false;
		boolean valueStarted = false;
		while (true) {
			if (inString && !escape) {
				this.input.copyStringRun(this.buffer);
			}
			else if (!inString && depth == 0 && valueStarted && this.input.peek() == '"') {
				// a quote after a whole value at the top level opens the next member: the
				// comma between them is missing, and this member ends here
				this.missingComma = true;
				break;
			}
			int c = this.input.read();
			if (c == -1) {
				this.state = State.ENDED;
				throw new BrokenInputException(start, this.input.damaged() ? DAMAGED : TRUNCATED);
			}
			if (!inString && depth == 0 && afterColon && c != ' ' && c != '\n' && c != '\r' && c != '\t') {
				valueStarted = true;
			}
			if (!inString && depth == 0 && c == ':') {
				afterColon = true;
			}
			if (inString) {
				if (escape) {
					escape = false;
				}
				else if (c == '\\') {
					escape = true;
				}
				else if (c == '"') {
					inString = false;
					if (depth == 0 && keyEnd < 0 && startsWithQuote) {
						keyEnd = this.buffer.size() + 1;
					}
				}
			}
			else if (c == '"') {
				inString = true;
			}
			else if (c == '{' || c == '[') {
				depth++;
			}
			else if (c == '}' || c == ']') {
				if (depth > 0) {
					depth--;
				}
				else if (c == '}') {
					this.state = State.AFTER_MAP;
					break;
				}
			}
			else if (c == ',' && depth == 0) {
				break;
			}
			this.buffer.append(c);
		}
		String failure = this.buffer.oversized() ? this.buffer.oversizedReason()
				: afterMissingComma ? MISSING_COMMA : null;
		return new RawRecord(position, this.buffer.copy(), keyEnd(keyEnd), failure, start, false);
	}

	/** The key's end when the kept bytes hold all of it. */
	private int keyEnd(long keyEnd) {
		return (keyEnd > 0 && keyEnd <= this.buffer.kept()) ? (int) keyEnd : -1;
	}

	private String position() {
		return "line " + this.input.line() + ", offset " + this.input.offset();
	}

	private void skipWhitespace() {
		int c;
		while ((c = this.input.peek()) == ' ' || c == '\n' || c == '\r' || c == '\t') {
			this.input.read();
		}
	}

	private void skipByteOrderMark() {
		if (this.input.offset() == 0 && this.input.peek() == 0xEF) {
			this.input.read();
			this.input.read();
			this.input.read();
		}
	}

}
