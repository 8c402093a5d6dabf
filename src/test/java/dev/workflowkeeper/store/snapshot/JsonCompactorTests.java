package dev.workflowkeeper.store.snapshot;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonParser;

import static org.assertj.core.api.Assertions.assertThat;

class JsonCompactorTests {

	/**
	 * String pieces: raw text of every UTF-8 length, and every kind of escape the
	 * generator treats apart.
	 */
	private static final List<String> STRING_PIECES = List.of("a", "Z ", "/", "é", "€", "😀", "\u007f", "\u2028",
			"\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000", "\\u0001", "\\u001f", "\\u001F",
			"\\u0020", "\\u0022", "\\u005c", "\\u002f", "\\u0041", "\\u007f", "\\u0080", "\\u00e9", "\\u00E9",
			"\\u07ff", "\\u0800", "\\u20ac", "\\uffff", "\\ud83d\\ude00", "\\uD83D\\uDE00", "\\ud800", "\\udbff",
			"\\udc00", "\\udfff", "\\ud800\\ud800\\udc00", "\\udc00\\ud800", "\\ud800x", "\\ud800\\n", "\\ud800\\u0041",
			"{", "}", "[", "]", ",", ":", " ");

	private static final List<String> NUMBERS = List.of("0", "-0", "1.50", "1e5", "1E+5", "1e-07", "-2.5E-3",
			"123456789012345678901234567890", "NaN", "Infinity", "-Infinity", "true", "false", "null");

	private final JsonCompactor compactor = new JsonCompactor();

	@Test
	void shouldCompactExactlyAsJacksonsParserIntoItsGenerator() {
		// given random documents, pretty-printed, with keys and strings built from every
		// kind of escape
		Random random = new Random(42);
		for (int n = 0; n < 20_000; n++) {
			String json = object(random, 0);
			byte[] bytes = ("  " + json + " \n").getBytes(StandardCharsets.UTF_8);

			// when
			byte[] compact = this.compactor.compactObject(bytes, 2, bytes.length);

			// then
			assertThat(new String(compact, StandardCharsets.UTF_8)).as(json).isEqualTo(viaJackson(bytes));
		}
	}

	@Test
	void shouldStopAtTheEndOfTheObject() {
		byte[] bytes = "{\"a\": [1, {\"b\": \"}\"}]} , \"next\": {}".getBytes(StandardCharsets.UTF_8);
		assertThat(new String(this.compactor.compactObject(bytes, 0, bytes.length), StandardCharsets.UTF_8))
			.isEqualTo("{\"a\":[1,{\"b\":\"}\"}]}");
	}

	/**
	 * The reference: what the reader did before it compacted bytes, Jackson's char parser
	 * into its generator.
	 */
	private static String viaJackson(byte[] bytes) {
		char[] chars = new String(bytes, StandardCharsets.UTF_8).toCharArray();
		try (JsonParser parser = SnapshotJson.FACTORY.createParser(chars, 0, chars.length)) {
			parser.nextToken();
			return new String(SnapshotJson.compactObject(parser, SnapshotJson.FACTORY, bytes.length),
					StandardCharsets.UTF_8);
		}
	}

	private static String object(Random random, int depth) {
		StringBuilder json = new StringBuilder("{");
		int members = random.nextInt(4);
		for (int i = 0; i < members; i++) {
			json.append((i > 0) ? ",\n  " : "\n  ")
				.append(string(random))
				.append(random.nextBoolean() ? ": " : ":")
				.append(value(random, depth + 1));
		}
		return json.append(random.nextBoolean() ? "\n}" : "}").toString();
	}

	private static String value(Random random, int depth) {
		int kind = random.nextInt(depth < 3 ? 5 : 3);
		return switch (kind) {
			case 0, 1 -> string(random);
			case 2 -> NUMBERS.get(random.nextInt(NUMBERS.size()));
			case 3 -> object(random, depth);
			default -> {
				StringBuilder array = new StringBuilder("[");
				int items = random.nextInt(4);
				for (int i = 0; i < items; i++) {
					array.append((i > 0) ? ", " : "").append(value(random, depth + 1));
				}
				yield array.append(" ]").toString();
			}
		};
	}

	private static String string(Random random) {
		StringBuilder text = new StringBuilder("\"");
		int pieces = random.nextInt(6);
		for (int i = 0; i < pieces; i++) {
			text.append(STRING_PIECES.get(random.nextInt(STRING_PIECES.size())));
		}
		return text.append('"').toString();
	}

}
