package dev.workflowkeeper.store;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonReadFeature;

/**
 * The few top-level fields of a workflow state that the worker judges by: {@code status}
 * and {@code updated_at}. Read with Jackson's streaming parser, without building the
 * whole document.
 *
 * @param status the state's status, or {@code null} when it has none
 * @param updatedAtMillis {@code updated_at} in epoch milliseconds, or {@link #UNKNOWN}
 */
public record StateFields(String status, long updatedAtMillis) {

	/** {@code updated_at} is missing or unreadable. */
	public static final long UNKNOWN = Long.MIN_VALUE;

	/** Statuses of a workflow that has ended. */
	public static final Set<String> TERMINAL_STATUSES = Set.of("completed", "failed", "cancelled");

	/** Python's json writes NaN and Infinity: a state holding them is still a state. */
	private static final JsonFactory JSON = JsonFactory.builder()
		.enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
		.build();

	public boolean terminal() {
		return this.status != null && TERMINAL_STATUSES.contains(this.status.toLowerCase());
	}

	public boolean hasUpdatedAt() {
		return this.updatedAtMillis != UNKNOWN;
	}

	/**
	 * Reads {@code status} and {@code updated_at} from a JSON object.
	 * @return the fields, or {@code null} when the value is not a JSON object
	 */
	public static StateFields read(byte[] json) {
		return read(json, false);
	}

	/**
	 * Reads {@code status} and {@code updated_at} from the start of a JSON object, and
	 * stops as soon as it has both: the rest of the value is not checked. For callers
	 * that only judge by the two fields and pass the value on as it is; {@link #read}
	 * when the whole value must be valid JSON.
	 * @return the fields, or {@code null} when the value does not start as a JSON object
	 * or is malformed before both fields
	 */
	public static StateFields readLeading(byte[] json) {
		return read(json, true);
	}

	private static StateFields read(byte[] json, boolean leading) {
		try (JsonParser parser = JSON.createParser(json)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return null;
			}
			String status = null;
			long updatedAt = UNKNOWN;
			boolean statusSeen = false;
			boolean updatedAtSeen = false;
			JsonToken token;
			while ((token = parser.nextToken()) == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				if ("status".equals(name) && value == JsonToken.VALUE_STRING) {
					status = parser.getString();
					statusSeen = true;
				}
				else if ("updated_at".equals(name)) {
					updatedAtSeen = true;
					updatedAt = switch (value) {
						case VALUE_STRING -> parseTimestamp(parser.getString());
						case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> epochToMillis(parser.getDoubleValue());
						default -> UNKNOWN;
					};
				}
				else {
					parser.skipChildren();
				}
				if (leading && statusSeen && updatedAtSeen) {
					return new StateFields(status, updatedAt);
				}
			}
			return (token == JsonToken.END_OBJECT) ? new StateFields(status, updatedAt) : null;
		}
		catch (JacksonException ex) {
			return null;
		}
	}

	/**
	 * Parses an ISO-8601 timestamp as Python writes it ({@code datetime.isoformat()}):
	 * with an offset or {@code Z}, or without one, which is taken as UTC.
	 * @return epoch milliseconds, or {@link #UNKNOWN}
	 */
	public static long parseTimestamp(String text) {
		if (text == null || text.isBlank()) {
			return UNKNOWN;
		}
		String iso = text.trim().replace(' ', 'T');
		// the likely parser first: a failed parse costs an exception, and most states
		// have no offset
		if (!hasOffset(iso)) {
			try {
				return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC).toEpochMilli();
			}
			catch (DateTimeParseException ex) {
				// not a local date-time after all: the parsers with an offset decide
			}
		}
		try {
			return OffsetDateTime.parse(iso).toInstant().toEpochMilli();
		}
		catch (DateTimeParseException ex) {
			try {
				return LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC).toEpochMilli();
			}
			catch (DateTimeParseException ex2) {
				try {
					return Instant.parse(iso).toEpochMilli();
				}
				catch (DateTimeParseException ex3) {
					return UNKNOWN;
				}
			}
		}
	}

	/**
	 * Whether an ISO-8601 date-time ends with {@code Z} or a
	 * {@code +hh:mm}/{@code -hh:mm} offset.
	 */
	private static boolean hasOffset(String iso) {
		int time = iso.indexOf('T');
		if (time < 0) {
			return true;
		}
		char last = iso.charAt(iso.length() - 1);
		return last == 'Z' || last == 'z' || iso.indexOf('+', time) >= 0 || iso.indexOf('-', time) >= 0;
	}

	/**
	 * Epoch seconds as Python's {@code time.time()} writes them; values past year 33658
	 * are taken as millis.
	 */
	private static long epochToMillis(double epoch) {
		return (epoch > 1e12) ? (long) epoch : (long) (epoch * 1000);
	}

}
