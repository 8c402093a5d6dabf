package dev.workflowkeeper.store.snapshot;

import java.io.ByteArrayOutputStream;

import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.core.json.JsonWriteFeature;

/**
 * The JSON dialect of snapshots: what Python's {@code json} module writes, NaN and
 * Infinity included, and the compaction of a state that keeps its content, key order and
 * number text.
 */
final class SnapshotJson {

	/**
	 * Reads NaN/Infinity as Python writes them; the record size limit, not Jackson's
	 * string limit, bounds a record. Forward slashes stay unescaped, as Python leaves
	 * them.
	 */
	static final JsonFactory FACTORY = JsonFactory.builder()
		.enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
		.disable(JsonWriteFeature.ESCAPE_FORWARD_SLASHES)
		.enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
		.streamReadConstraints(StreamReadConstraints.builder().maxStringLength(Integer.MAX_VALUE).build())
		.build();

	private SnapshotJson() {
	}

	/**
	 * Copies the object at the parser's current {@code START_OBJECT} as compact UTF-8
	 * JSON, numbers exactly as written; the parser is left on the matching
	 * {@code END_OBJECT}.
	 */
	static byte[] compactObject(JsonParser parser, JsonFactory factory, int sizeHint) {
		ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, sizeHint));
		try (JsonGenerator generator = factory.createGenerator(out)) {
			int depth = 0;
			JsonToken token = parser.currentToken();
			while (true) {
				if (token == null) {
					throw new StreamReadException(parser, "Unexpected end-of-input in the state");
				}
				switch (token) {
					case START_OBJECT -> {
						generator.writeStartObject();
						depth++;
					}
					case END_OBJECT -> {
						generator.writeEndObject();
						depth--;
					}
					case START_ARRAY -> {
						generator.writeStartArray();
						depth++;
					}
					case END_ARRAY -> {
						generator.writeEndArray();
						depth--;
					}
					case PROPERTY_NAME -> generator.writeName(parser.currentName());
					case VALUE_STRING -> generator.writeString(parser.getTextCharacters(), parser.getTextOffset(),
							parser.getTextLength());
					// the text as written keeps 1.50, 1e5 and big integers exactly; NaN
					// stays NaN
					case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> generator.writeNumber(parser.getText());
					case VALUE_TRUE -> generator.writeBoolean(true);
					case VALUE_FALSE -> generator.writeBoolean(false);
					case VALUE_NULL -> generator.writeNull();
					default -> throw new StreamReadException(parser, "Unexpected token " + token);
				}
				if (depth == 0) {
					break;
				}
				token = parser.nextToken();
			}
		}
		return out.toByteArray();
	}

}
