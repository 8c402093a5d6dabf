package dev.workflowkeeper.store.snapshot;

import java.nio.charset.StandardCharsets;

import dev.workflowkeeper.store.BrokenInputException;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.WorkflowEntry;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Turns the raw records of one snapshot into entries, strictly: invalid UTF-8, malformed
 * JSON, a state that is not an object, a bad or repeated thread id each reject that
 * record alone.
 * <p>
 * Every readable, well-formed thread id claims its place in the duplicate set as soon as
 * it is read, whatever becomes of the rest of its record; that way a restart, which only
 * {@link #identify identifies} the records it skips, rebuilds exactly the same set.
 * <p>
 * Not thread-safe.
 */
final class RecordDecoder {

	private final SnapshotFormat format;

	private final ThreadIdSet seen = new ThreadIdSet();

	private final JsonCompactor compactor = new JsonCompactor();

	RecordDecoder(SnapshotFormat format) {
		this.format = format;
	}

	/**
	 * Decodes a record.
	 * @throws RejectedRecordException when the record cannot be migrated
	 */
	WorkflowEntry decode(RawRecord record) {
		return (this.format == SnapshotFormat.JSON_MAP) ? decodeMember(record) : decodeLine(record);
	}

	/**
	 * Reads only what a skipped record adds to the duplicate set; never throws for bad
	 * records.
	 */
	void identify(RawRecord record) {
		try {
			if (this.format == SnapshotFormat.JSON_MAP) {
				claim(readKey(record));
			}
			else if (record.failure() == null && Utf8.firstInvalid(record.bytes(), 0, record.bytes().length) < 0) {
				String threadId;
				try (JsonParser parser = SnapshotJson.FACTORY.createParser(record.bytes())) {
					threadId = leadingThreadId(parser);
				}
				catch (JacksonException ex) {
					try (JsonParser parser = charParser(record.bytes(), 0, record.bytes().length)) {
						threadId = leadingThreadId(parser);
					}
				}
				if (threadId != null) {
					claim(threadId);
				}
			}
		}
		catch (JacksonException ex) {
			// the first read rejected this record too; all that matters here is the
			// claimed id
		}
	}

	/**
	 * The first {@code thread_id} of a line when it is a string and comes before any
	 * malformed JSON.
	 */
	private static String leadingThreadId(JsonParser parser) {
		if (parser.nextToken() == JsonToken.START_OBJECT) {
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				JsonToken value = parser.nextToken();
				if ("thread_id".equals(parser.currentName())) {
					return (value == JsonToken.VALUE_STRING) ? parser.getString() : null;
				}
				parser.skipChildren();
			}
		}
		return null;
	}

	private WorkflowEntry decodeMember(RawRecord record) {
		byte[] bytes = record.bytes();
		String key = readKey(record);
		String keyProblem = claim(key);
		if (record.failure() != null) {
			throw reject(record, key, record.failure());
		}
		if (bytes.length == 0) {
			throw reject(record, null, "malformed JSON: an extra ',' (an empty member)");
		}
		if (key == null) {
			checkUtf8(record, null);
			throw reject(record, null, "malformed JSON: the member does not start with a quoted thread id");
		}
		if (keyProblem != null) {
			throw reject(record, key, keyProblem);
		}
		checkUtf8(record, key);
		int colon = skipWhitespace(bytes, record.keyEnd());
		if (colon == bytes.length || bytes[colon] != ':') {
			throw reject(record, key, "malformed JSON: a ':' must follow the thread id");
		}
		// the state alone is a JSON document: parsed in place, the member needs no copy
		// with braces
		int from = colon + 1;
		try (JsonParser parser = SnapshotJson.FACTORY.createParser(bytes, from, bytes.length - from)) {
			checkState(parser, record, key);
		}
		catch (JacksonException ex) {
			// the byte parser refuses unpaired surrogate escapes in names (Python writes
			// them), the char
			// parser accepts them: the char parser has the last word, with its own
			// messages
			try (JsonParser parser = charParser(bytes, from, bytes.length)) {
				checkState(parser, record, key);
			}
			catch (JacksonException ex2) {
				throw reject(record, key, "malformed JSON: " + ex2.getOriginalMessage());
			}
		}
		int start = skipWhitespace(bytes, from);
		return new WorkflowEntry(key, this.compactor.compactObject(bytes, start, bytes.length),
				WorkflowEntry.NO_EXPIRY);
	}

	/** Checks that the parser holds one JSON object and nothing after it. */
	private static void checkState(JsonParser parser, RawRecord record, String key) {
		if (parser.nextToken() != JsonToken.START_OBJECT) {
			throw reject(record, key, "state is not a JSON object");
		}
		parser.skipChildren();
		expect(parser.nextToken() == null, record, key);
	}

	private WorkflowEntry decodeLine(RawRecord record) {
		if (record.failure() != null) {
			throw reject(record, null, record.failure());
		}
		checkUtf8(record, null);
		byte[] bytes = record.bytes();
		try (JsonParser parser = SnapshotJson.FACTORY.createParser(bytes)) {
			return readLine(record, parser, true);
		}
		catch (JacksonException ex) {
			// as for map members, the char parser has the last word on what is malformed
			try (JsonParser parser = charParser(bytes, 0, bytes.length)) {
				return readLine(record, parser, false);
			}
		}
	}

	/**
	 * Reads one line's fields. {@code inPlace}: the parser reads the record's bytes, the
	 * state is compacted from them, thread ids are claimed only once the line has parsed
	 * and Jackson's exceptions pass unchanged, for a second read by the char parser;
	 * otherwise ids are claimed as soon as they are read, and malformed JSON rejects the
	 * record.
	 */
	private WorkflowEntry readLine(RawRecord record, JsonParser parser, boolean inPlace) {
		String threadId = null;
		String threadIdProblem = "the record has no thread_id";
		byte[] state = null;
		int stateStart = -1;
		String stateProblem = "the record has no state";
		long expireAt = WorkflowEntry.NO_EXPIRY;
		String expiryProblem = null;
		try {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw reject(record, null, "malformed JSON: a line must hold one JSON object");
			}
			JsonToken token;
			while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				switch (name) {
					case "thread_id" -> {
						if (value == JsonToken.VALUE_STRING && threadId == null) {
							threadId = parser.getString();
							threadIdProblem = inPlace ? null : claim(threadId);
						}
						else if (threadId == null) {
							threadIdProblem = "thread_id is not a string";
						}
					}
					case "state" -> {
						if (value == JsonToken.START_OBJECT) {
							if (inPlace) {
								// compacted once the whole line is known to be
								// well-formed
								stateStart = (int) parser.currentTokenLocation().getByteOffset();
								parser.skipChildren();
							}
							else {
								state = SnapshotJson.compactObject(parser, SnapshotJson.FACTORY, record.bytes().length);
							}
							stateProblem = null;
						}
						else {
							parser.skipChildren();
							stateProblem = "state is not a JSON object";
						}
					}
					case "expires_at" -> {
						if (value == JsonToken.VALUE_STRING) {
							expireAt = StateFields.parseTimestamp(parser.getString());
							if (expireAt == StateFields.UNKNOWN) {
								expireAt = WorkflowEntry.NO_EXPIRY;
								expiryProblem = "expires_at '" + parser.getString() + "' is not an ISO-8601 timestamp";
							}
						}
						else if (value != JsonToken.VALUE_NULL) {
							parser.skipChildren();
							expiryProblem = "expires_at is neither an ISO-8601 timestamp nor null";
						}
					}
					default -> parser.skipChildren();
				}
			}
			boolean complete = token == JsonToken.END_OBJECT && parser.nextToken() == null;
			if (inPlace && threadId != null) {
				threadIdProblem = claim(threadId);
			}
			expect(complete, record, threadId);
		}
		catch (JacksonException ex) {
			if (inPlace) {
				throw ex;
			}
			if (record.unterminated()) {
				// the last line, cut off: the file ends early, no record to skip
				throw new BrokenInputException(record.startOffset(),
						RecordSplitter.TRUNCATED + " (" + ex.getOriginalMessage() + ")");
			}
			throw reject(record, threadId, "malformed JSON: " + ex.getOriginalMessage());
		}
		String problem = (threadIdProblem != null) ? threadIdProblem
				: (stateProblem != null) ? stateProblem : expiryProblem;
		if (problem != null) {
			throw reject(record, threadId, problem);
		}
		byte[] value = inPlace ? this.compactor.compactObject(record.bytes(), stateStart, record.bytes().length)
				: state;
		return new WorkflowEntry(threadId, value, expireAt);
	}

	/**
	 * Checks a thread id and claims it in the duplicate set.
	 * @return why the id is rejected, or {@code null} when it is fine
	 */
	private String claim(String threadId) {
		if (threadId == null) {
			return "the record has no thread id";
		}
		if (threadId.isEmpty()) {
			return "empty thread id";
		}
		for (int i = 0; i < threadId.length(); i++) {
			char c = threadId.charAt(i);
			if (c == '*' || c == '?' || c == '[' || c == ']') {
				return "thread id contains a glob character (*?[]), which key patterns cannot match safely";
			}
			if (Character.isISOControl(c)) {
				return "thread id contains a control character";
			}
		}
		return this.seen.add(threadId) ? null : "duplicate thread id: an earlier record has it";
	}

	/**
	 * The member's leading quoted key as a string, or {@code null} when it cannot be
	 * read.
	 */
	private String readKey(RawRecord record) {
		int keyEnd = record.keyEnd();
		if (keyEnd < 2 || Utf8.firstInvalid(record.bytes(), 0, keyEnd) >= 0) {
			return null;
		}
		try (JsonParser parser = SnapshotJson.FACTORY.createParser(record.bytes(), 0, keyEnd)) {
			if (parser.nextToken() == JsonToken.VALUE_STRING) {
				String key = parser.getString();
				return (parser.nextToken() == null) ? key : null;
			}
			return null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/**
	 * Rejects a record that is not strictly valid UTF-8, with the offset of the first bad
	 * byte.
	 */
	private static void checkUtf8(RawRecord record, String threadId) {
		int invalid = Utf8.firstInvalid(record.bytes(), 0, record.bytes().length);
		if (invalid >= 0) {
			throw reject(record, threadId, "invalid UTF-8 at offset " + (record.startOffset() + invalid));
		}
	}

	/** Jackson's char parser over bytes known to be valid UTF-8. */
	private static JsonParser charParser(byte[] bytes, int from, int to) {
		char[] chars = new String(bytes, from, to - from, StandardCharsets.UTF_8).toCharArray();
		return SnapshotJson.FACTORY.createParser(chars, 0, chars.length);
	}

	private static int skipWhitespace(byte[] bytes, int from) {
		int i = from;
		while (i < bytes.length && (bytes[i] == ' ' || bytes[i] == '\n' || bytes[i] == '\r' || bytes[i] == '\t')) {
			i++;
		}
		return i;
	}

	private static void expect(boolean condition, RawRecord record, String threadId) {
		if (!condition) {
			throw reject(record, threadId, "malformed JSON: unexpected content after the state");
		}
	}

	private static RejectedRecordException reject(RawRecord record, String threadId, String reason) {
		return new RejectedRecordException(record.position(), threadId, reason);
	}

}
