package dev.workflowkeeper.store.snapshot;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.WorkflowEntry;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Turns the raw records of one snapshot into entries, strictly: invalid UTF-8, malformed JSON, a
 * state that is not an object, a bad or repeated thread id each reject that record alone.
 * <p>
 * Every readable, well-formed thread id claims its place in the duplicate set as soon as it is read,
 * whatever becomes of the rest of its record; that way a restart, which only
 * {@link #identify identifies} the records it skips, rebuilds exactly the same set.
 * <p>
 * Not thread-safe.
 */
final class RecordDecoder {

	private final SnapshotFormat format;

	private final ThreadIdSet seen = new ThreadIdSet();

	private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
		.onMalformedInput(CodingErrorAction.REPORT)
		.onUnmappableCharacter(CodingErrorAction.REPORT);

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

	/** Reads only what a skipped record adds to the duplicate set; never throws for bad records. */
	void identify(RawRecord record) {
		try {
			if (this.format == SnapshotFormat.JSON_MAP) {
				claim(readKey(record));
			}
			else if (record.failure() == null) {
				CharBuffer chars = decodeUtf8(record, 0, null);
				try (JsonParser parser = SnapshotJson.FACTORY.createParser(chars.array(), 0, chars.limit())) {
					if (parser.nextToken() == JsonToken.START_OBJECT) {
						while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
							JsonToken value = parser.nextToken();
							if ("thread_id".equals(parser.currentName())) {
								if (value == JsonToken.VALUE_STRING) {
									claim(parser.getString());
								}
								return;
							}
							parser.skipChildren();
						}
					}
				}
			}
		}
		catch (RejectedRecordException | JacksonException ex) {
			// the first read rejected this record too; all that matters here is the claimed id
		}
	}

	private WorkflowEntry decodeMember(RawRecord record) {
		String key = readKey(record);
		String keyProblem = claim(key);
		if (record.failure() != null) {
			throw reject(record, key, record.failure());
		}
		if (key == null) {
			decodeUtf8(record, 0, null);
			throw reject(record, null, "malformed JSON: the member does not start with a quoted thread id");
		}
		if (keyProblem != null) {
			throw reject(record, key, keyProblem);
		}
		CharBuffer chars = decodeUtf8(record, 1, key);
		// the member alone is no JSON document: braces around it make it one, a map of one state
		chars.put(0, '{');
		chars.put(chars.limit() - 1, '}');
		try (JsonParser parser = SnapshotJson.FACTORY.createParser(chars.array(), 0, chars.limit())) {
			expect(parser.nextToken() == JsonToken.START_OBJECT && parser.nextToken() == JsonToken.PROPERTY_NAME,
					record, key);
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw reject(record, key, "state is not a JSON object");
			}
			byte[] value = compact(parser, record);
			expect(parser.nextToken() == JsonToken.END_OBJECT && parser.nextToken() == null, record, key);
			return new WorkflowEntry(key, value, WorkflowEntry.NO_EXPIRY);
		}
		catch (JacksonException ex) {
			throw reject(record, key, "malformed JSON: " + ex.getOriginalMessage());
		}
	}

	private WorkflowEntry decodeLine(RawRecord record) {
		if (record.failure() != null) {
			throw reject(record, null, record.failure());
		}
		CharBuffer chars = decodeUtf8(record, 0, null);
		String threadId = null;
		String threadIdProblem = "the record has no thread_id";
		byte[] state = null;
		String stateProblem = "the record has no state";
		long expireAt = WorkflowEntry.NO_EXPIRY;
		String expiryProblem = null;
		try (JsonParser parser = SnapshotJson.FACTORY.createParser(chars.array(), 0, chars.limit())) {
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
							threadIdProblem = claim(threadId);
						}
						else if (threadId == null) {
							threadIdProblem = "thread_id is not a string";
						}
					}
					case "state" -> {
						if (value == JsonToken.START_OBJECT) {
							state = compact(parser, record);
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
			expect(token == JsonToken.END_OBJECT && parser.nextToken() == null, record, threadId);
		}
		catch (JacksonException ex) {
			throw reject(record, threadId, (record.unterminated() ? RecordSplitter.TRUNCATED + " (" : "malformed JSON: ")
					+ ex.getOriginalMessage() + (record.unterminated() ? ")" : ""));
		}
		String problem = (threadIdProblem != null) ? threadIdProblem : (stateProblem != null) ? stateProblem : expiryProblem;
		if (problem != null) {
			throw reject(record, threadId, problem);
		}
		return new WorkflowEntry(threadId, state, expireAt);
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

	/** The member's leading quoted key as a string, or {@code null} when it cannot be read. */
	private String readKey(RawRecord record) {
		if (record.keyEnd() < 2) {
			return null;
		}
		CharBuffer chars = CharBuffer.allocate(record.keyEnd());
		this.utf8.reset();
		CoderResult result = this.utf8.decode(ByteBuffer.wrap(record.bytes(), 0, record.keyEnd()), chars, true);
		if (result.isError()) {
			return null;
		}
		this.utf8.flush(chars);
		try (JsonParser parser = SnapshotJson.FACTORY.createParser(chars.array(), 0, chars.position())) {
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
	 * Decodes the record's bytes strictly, into a buffer with {@code margin} free chars at each end;
	 * the buffer's limit is the end of the text plus the margin.
	 */
	private CharBuffer decodeUtf8(RawRecord record, int margin, String threadId) {
		byte[] bytes = record.bytes();
		CharBuffer chars = CharBuffer.allocate(bytes.length + 2 * margin);
		chars.position(margin);
		ByteBuffer in = ByteBuffer.wrap(bytes);
		this.utf8.reset();
		CoderResult result = this.utf8.decode(in, chars, true);
		if (result.isError()) {
			throw reject(record, threadId, "invalid UTF-8 at offset " + (record.startOffset() + in.position()));
		}
		this.utf8.flush(chars);
		chars.limit(chars.position() + margin);
		return chars;
	}

	private static byte[] compact(JsonParser parser, RawRecord record) {
		// Jackson escapes an unpaired surrogate ("\ud800", which Python writes) instead of failing
		return SnapshotJson.compactObject(parser, SnapshotJson.FACTORY, record.bytes().length);
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
