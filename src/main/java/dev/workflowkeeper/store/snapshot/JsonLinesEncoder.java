package dev.workflowkeeper.store.snapshot;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import dev.workflowkeeper.store.WorkflowEntry;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Writes one entry as a JSON Lines record,
 * {@code {"thread_id":"…","state":{…},"expires_at":"2026-11-25T17:00:00.000Z"|null}}, the
 * format {@link SnapshotItemReader} reads back. The state is embedded as it is, or
 * compacted when it spans lines.
 */
public final class JsonLinesEncoder {

	private static final byte[] THREAD_ID = "{\"thread_id\":".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] STATE = ",\"state\":".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] EXPIRES_AT = ",\"expires_at\":".getBytes(StandardCharsets.US_ASCII);

	private static final byte[] NULL_END = "null}\n".getBytes(StandardCharsets.US_ASCII);

	private static final DateTimeFormatter ISO_MILLIS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
		.withZone(ZoneOffset.UTC);

	private static final char[] HEX = "0123456789abcdef".toCharArray();

	private JsonLinesEncoder() {
	}

	/**
	 * Writes one line.
	 * @throws IllegalArgumentException when the state is not a JSON object
	 */
	public static void write(OutputStream out, WorkflowEntry entry) throws IOException {
		byte[] state = state(entry);
		out.write(THREAD_ID);
		out.write(quote(entry.threadId()));
		out.write(STATE);
		out.write(state);
		out.write(EXPIRES_AT);
		if (entry.hasExpiry()) {
			out.write(('"' + formatExpiry(entry.expireAtMillis()) + "\"}\n").getBytes(StandardCharsets.US_ASCII));
		}
		else {
			out.write(NULL_END);
		}
	}

	/** An expiry as the lines carry it: ISO-8601 in UTC with milliseconds. */
	public static String formatExpiry(long epochMillis) {
		return ISO_MILLIS.format(Instant.ofEpochMilli(epochMillis));
	}

	private static byte[] state(WorkflowEntry entry) {
		byte[] value = entry.value();
		int first = 0;
		while (first < value.length && isWhitespace(value[first])) {
			first++;
		}
		if (first == value.length || value[first] != '{') {
			throw new IllegalArgumentException("state of thread " + entry.threadId() + " is not a JSON object");
		}
		for (byte b : value) {
			if (b == '\n' || b == '\r') {
				return compact(entry);
			}
		}
		return value;
	}

	/**
	 * A state that spans lines: only whitespace between tokens can hold a raw line break.
	 */
	private static byte[] compact(WorkflowEntry entry) {
		try (JsonParser parser = SnapshotJson.FACTORY.createParser(entry.value())) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				throw new IllegalArgumentException("state of thread " + entry.threadId() + " is not a JSON object");
			}
			byte[] compact = SnapshotJson.compactObject(parser, SnapshotJson.FACTORY, entry.value().length);
			if (parser.nextToken() != null) {
				throw new IllegalArgumentException(
						"state of thread " + entry.threadId() + " holds more than one JSON value");
			}
			return compact;
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException(
					"state of thread " + entry.threadId() + " is not valid JSON: " + ex.getOriginalMessage(), ex);
		}
	}

	/**
	 * A JSON string in UTF-8: quotes, backslashes and control characters escaped, the
	 * rest as it is.
	 */
	private static byte[] quote(String text) {
		StringBuilder json = new StringBuilder(text.length() + 2).append('"');
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c == '"' || c == '\\') {
				json.append('\\').append(c);
			}
			else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
				// an escape keeps even an unpaired surrogate, which UTF-8 cannot carry
				json.append("\\u")
					.append(HEX[c >> 12])
					.append(HEX[(c >> 8) & 0xf])
					.append(HEX[(c >> 4) & 0xf])
					.append(HEX[c & 0xf]);
			}
			else {
				json.append(c);
			}
		}
		return json.append('"').toString().getBytes(StandardCharsets.UTF_8);
	}

	private static boolean isWhitespace(byte b) {
		return b == ' ' || b == '\t' || b == '\n' || b == '\r';
	}

}
