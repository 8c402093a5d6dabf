package dev.workflowkeeper.store.snapshot;

/**
 * Cuts the members of a JSON object map ({@code {"thread_id": {state}, …}}, as Python's
 * {@code json.dump} writes the service's dict) out of the byte stream: a member ends at
 * the first comma or closing brace outside any string and nested value. Only ASCII bytes
 * are structural, so invalid UTF-8 inside a member cannot mislead the cut; it is the
 * decoder's business.
 * <p>
 * Not thread-safe.
 */
final class JsonMapSplitter implements RecordSplitter {

	private enum State {

		START, MEMBERS, AFTER_MAP, ENDED

	}

	private final SnapshotInput input;

	private final RecordBuffer buffer;

	private State state = State.START;

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
						return end();
					}
					if (c != '{') {
						this.state = State.ENDED;
						return RawRecord.failed(position(), this.input.offset(),
								"malformed JSON: the file is neither a JSON object of states nor JSON Lines");
					}
					this.input.read();
					this.state = State.MEMBERS;
				}
				case MEMBERS -> {
					skipWhitespace();
					int c = this.input.peek();
					if (c == -1) {
						this.state = State.ENDED;
						return RawRecord.failed(position(), this.input.offset(),
								"truncated file: the map ends without its closing brace");
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
						return end();
					}
					this.state = State.ENDED;
					return RawRecord.failed(position(), this.input.offset(),
							"malformed JSON: unexpected content after the end of the map");
				}
				case ENDED -> {
					return null;
				}
			}
		}
	}

	/**
	 * The end of input; a damaged compressed stream still costs one reject, or nobody
	 * would know.
	 */
	private RawRecord end() {
		this.state = State.ENDED;
		return this.input.damaged() ? RawRecord.failed(position(), this.input.offset(), DAMAGED) : null;
	}

	private RawRecord member() {
		long start = this.input.offset();
		String position = position();
		this.buffer.reset();
		boolean startsWithQuote = this.input.peek() == '"';
		long keyEnd = -1;
		int depth = 0;
		boolean inString = false;
		boolean escape = false;
		while (true) {
			if (inString && !escape) {
				this.input.copyStringRun(this.buffer);
			}
			int c = this.input.read();
			if (c == -1) {
				this.state = State.ENDED;
				return new RawRecord(position, this.buffer.copy(), keyEnd(keyEnd), TRUNCATED, start, false);
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
		String failure = this.buffer.oversized() ? this.buffer.oversizedReason() : null;
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
