package dev.workflowkeeper.store.snapshot;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.store.BrokenInputException;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.snapshot.SnapshotTestSupport.ReadResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.infrastructure.item.ExecutionContext;

import static dev.workflowkeeper.store.snapshot.SnapshotTestSupport.concat;
import static dev.workflowkeeper.store.snapshot.SnapshotTestSupport.gzip;
import static dev.workflowkeeper.store.snapshot.SnapshotTestSupport.offsetOf;
import static dev.workflowkeeper.store.snapshot.SnapshotTestSupport.properties;
import static dev.workflowkeeper.store.snapshot.SnapshotTestSupport.readAll;
import static dev.workflowkeeper.store.snapshot.SnapshotTestSupport.readUpTo;
import static dev.workflowkeeper.store.snapshot.SnapshotTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class SnapshotItemReaderTests {

	/**
	 * What {@code json.dump(states, f, indent=2)} writes, NaN, Infinity and escapes
	 * included.
	 */
	private static final String PYTHON_MAP = """
			{
			  "thread-1": {
			    "status": "running",
			    "updated_at": "2026-11-25T16:00:00",
			    "title": "Caf\\u00e9 \\ud83d\\ude00 / r\\u00e9sum\\u00e9 \\"quoted\\" {braces} [brackets], commas",
			    "score": NaN,
			    "limit": -Infinity,
			    "amount": 1.50,
			    "big": 123456789012345678901234567890,
			    "ratio": 1e-07,
			    "steps": [
			      {
			        "name": "ocr",
			        "done": true
			      },
			      null
			    ],
			    "nested": {}
			  },
			  "thread-\\u00fc": {"status": "completed", "items": [], "note": "raw é"}
			}
			""";

	private static final String THREAD_1_COMPACT = "{\"status\":\"running\",\"updated_at\":\"2026-11-25T16:00:00\","
			+ "\"title\":\"Café 😀 / résumé \\\"quoted\\\" {braces} [brackets], commas\",\"score\":NaN,\"limit\":-Infinity,"
			+ "\"amount\":1.50,\"big\":123456789012345678901234567890,\"ratio\":1e-07,"
			+ "\"steps\":[{\"name\":\"ocr\",\"done\":true},null],\"nested\":{}}";

	private static final JsonMapper JSON = JsonMapper.builder()
		.enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
		.build();

	@TempDir
	Path dir;

	@Test
	void shouldReadMapSnapshotAsPythonWritesItIntoCompactJson() throws Exception {
		// given
		Path file = write("states.json", utf8(PYTHON_MAP));
		SnapshotItemReader reader = reader(file);

		// when
		reader.open(new ExecutionContext());
		ReadResult result = readAll(reader);
		reader.close();

		// then
		assertThat(reader.format()).isEqualTo(SnapshotFormat.JSON_MAP);
		assertThat(result.rejected()).isEmpty();
		assertThat(result.threadIds()).containsExactly("thread-1", "thread-ü");
		WorkflowEntry first = result.accepted().get(0);
		assertThat(first.valueAsString()).isEqualTo(THREAD_1_COMPACT);
		assertThat(first.expireAtMillis()).isEqualTo(WorkflowEntry.NO_EXPIRY);
		String original = PYTHON_MAP.substring(PYTHON_MAP.indexOf("{", 5), PYTHON_MAP.indexOf("\n  },") + 4);
		assertThat(JSON.readTree(first.value())).isEqualTo(JSON.readTree(original));
		assertThat(result.accepted().get(1).valueAsString())
			.isEqualTo("{\"status\":\"completed\",\"items\":[],\"note\":\"raw é\"}");
		assertThat(reader.consumedCount()).isEqualTo(2);
	}

	@Test
	void shouldRecognizeGzipByItsMagicBytesWhateverTheName() throws Exception {
		// given
		Path file = write("states.json", gzip(utf8(PYTHON_MAP)));
		SnapshotItemReader reader = reader(file);

		// when
		reader.open(new ExecutionContext());
		ReadResult result = readAll(reader);
		reader.close();

		// then
		assertThat(reader.compressed()).isTrue();
		assertThat(result.rejected()).isEmpty();
		assertThat(result.threadIds()).containsExactly("thread-1", "thread-ü");
		assertThat(result.accepted().get(0).valueAsString()).isEqualTo(THREAD_1_COMPACT);
	}

	@Test
	void shouldReadJsonLinesWithTheirExpiriesPlainAndGzipped() throws Exception {
		// given
		String lines = """
				{"thread_id": "a", "state": {"status": "running", "n": 1.0}, "expires_at": "2026-11-25T17:00:00Z"}
				{"thread_id": "b", "state": {"status": "done"}, "expires_at": "2026-11-25T17:00:00"}

				{"thread_id": "c", "state": { "spaced" :  "out" }, "expires_at": null}
				{"state": {"x": [1, 2]}, "thread_id": "d", "extra": {"ignored": true}}
				""";
		long expected = java.time.Instant.parse("2026-11-25T17:00:00Z").toEpochMilli();

		for (Path file : new Path[] { write("plain.jsonl", utf8(lines)),
				write("packed.jsonl.gz", gzip(utf8(lines))) }) {
			SnapshotItemReader reader = reader(file);

			// when
			reader.open(new ExecutionContext());
			ReadResult result = readAll(reader);
			reader.close();

			// then
			assertThat(reader.format()).isEqualTo(SnapshotFormat.JSON_LINES);
			assertThat(result.rejected()).isEmpty();
			assertThat(result.accepted()).containsExactly(
					new WorkflowEntry("a", utf8("{\"status\":\"running\",\"n\":1.0}"), expected),
					new WorkflowEntry("b", utf8("{\"status\":\"done\"}"), expected),
					new WorkflowEntry("c", utf8("{\"spaced\":\"out\"}"), WorkflowEntry.NO_EXPIRY),
					new WorkflowEntry("d", utf8("{\"x\":[1,2]}"), WorkflowEntry.NO_EXPIRY));
		}
	}

	@Test
	void shouldDetectTheFormatByContentNotByName() throws Exception {
		// given
		Path lines = write("looks-like-a-map.json",
				utf8("{\"thread_id\": \"a\", \"state\": {}, \"expires_at\": null}\n"));
		Path map = write("odd.json", utf8("{\"thread_id\": {\"status\": \"running\"}}"));
		Path unreadable = write("broken.jsonl", utf8("not json\n{\"thread_id\": \"a\", \"state\": {}}\n"));

		// when / then
		assertThat(SnapshotFormat.detect(lines)).isEqualTo(SnapshotFormat.JSON_LINES);
		assertThat(SnapshotFormat.detect(write("empty.json", new byte[0]))).isEqualTo(SnapshotFormat.JSON_LINES);
		assertThat(SnapshotFormat.detect(write("s.json", utf8("{\"t1\": {}}")))).isEqualTo(SnapshotFormat.JSON_MAP);
		// a map whose first thread is called thread_id holds an object there, not a
		// string
		assertThat(SnapshotFormat.detect(map)).isEqualTo(SnapshotFormat.JSON_MAP);
		// only when the content says nothing does the name decide
		assertThat(SnapshotFormat.detect(unreadable)).isEqualTo(SnapshotFormat.JSON_LINES);
	}

	@Test
	void shouldRejectEachBadMapRecordAloneWithItsPositionAndReason() throws Exception {
		// given a corpus of 12 records: 3 good ones, 9 bad ones
		byte[] corpus = concat(utf8("""
				{
				  "ok-1": {"status": "running"},
				  "dup": {"a": 1},
				  "bad-json": {"a": tru},
				  "bad-utf8": {"text": \""""), new byte[] { (byte) 0xff, (byte) 0xfe }, utf8("""
				"},
				  "not-object": [1, 2],
				  "": {"a": 1},
				  "glob*": {"a": 1},
				  "ctl\\u0001": {"a": 1},
				  "dup": {"a": 2},
				  "big": {"blob": "%s"},
				  no-quotes: {"a": 1},
				  "ok-2": {"status": "done"}
				}
				""".formatted("x".repeat(300))));
		Path file = write("corpus.json", corpus);
		SnapshotItemReader reader = new SnapshotItemReader("corpus", file, 200);

		// when
		reader.open(new ExecutionContext());
		ReadResult result = readAll(reader);
		reader.close();

		// then
		assertThat(result.threadIds()).containsExactly("ok-1", "dup", "ok-2");
		assertThat(result.rejected()).hasSize(9);
		assertThat(result.accepted().size() + result.rejected().size()).isEqualTo(12).isEqualTo(reader.consumedCount());
		assertRejected(result.rejected().get(0), "line 4, offset " + offsetOf(corpus, "\"bad-json\""), "bad-json",
				"malformed JSON: ");
		assertRejected(result.rejected().get(1), "line 5, offset " + offsetOf(corpus, "\"bad-utf8\""), "bad-utf8",
				"invalid UTF-8 at offset " + (offsetOf(corpus, "\"bad-utf8\"") + 22));
		assertRejected(result.rejected().get(2), "line 6, offset " + offsetOf(corpus, "\"not-object\""), "not-object",
				"state is not a JSON object");
		assertRejected(result.rejected().get(3), "line 7, offset " + offsetOf(corpus, "\"\":"), "", "empty thread id");
		assertRejected(result.rejected().get(4), "line 8, offset " + offsetOf(corpus, "\"glob*\""), "glob*",
				"thread id contains a glob character (*?[]), which key patterns cannot match safely");
		assertRejected(result.rejected().get(5), "line 9, offset " + offsetOf(corpus, "\"ctl"), "ctl\u0001",
				"thread id contains a control character");
		assertRejected(result.rejected().get(6), "line 10, offset " + offsetOf(corpus, "\"dup\": {\"a\": 2}"), "dup",
				"duplicate thread id: an earlier record has it");
		int bigSize = offsetOf(corpus, ",\n  no-quotes") - offsetOf(corpus, "\"big\"");
		assertRejected(result.rejected().get(7), "line 11, offset " + offsetOf(corpus, "\"big\""), "big",
				"record of " + bigSize + " bytes exceeds the limit of 200 bytes (keeper.migration.max-record-size)");
		assertRejected(result.rejected().get(8), "line 12, offset " + offsetOf(corpus, "no-quotes"), null,
				"malformed JSON: the member does not start with a quoted thread id");
	}

	@Test
	void shouldRejectEachBadJsonLineAloneWithItsLineNumber() throws Exception {
		// given 9 records on 10 lines (one blank): 2 good ones, 7 bad ones
		byte[] corpus = concat(utf8("""
				{"thread_id": "ok-1", "state": {"a": 1}, "expires_at": null}
				{"thread_id": "broken", "state": {"a": }
				{"thread_id": "bytes", "state": {"a": \""""), new byte[] { (byte) 0xc3, (byte) 0x28 }, utf8("""
				"}}

				{"thread_id": "no-state"}
				{"thread_id": "array", "state": []}
				{"thread_id": "when", "state": {}, "expires_at": "tomorrow"}
				{"thread_id": "ok-1", "state": {"a": 2}}
				{"thread_id": "", "state": {}}
				{"thread_id": "ok-2", "state": {"a": 3}, "expires_at": "2026-11-25T17:00:00+01:00"}
				"""));
		Path file = write("corpus.jsonl", corpus);
		SnapshotItemReader reader = reader(file);

		// when
		reader.open(new ExecutionContext());
		ReadResult result = readAll(reader);
		reader.close();

		// then
		assertThat(result.threadIds()).containsExactly("ok-1", "ok-2");
		assertThat(result.accepted().get(1).expireAtMillis())
			.isEqualTo(java.time.Instant.parse("2026-11-25T16:00:00Z").toEpochMilli());
		assertThat(result.rejected()).hasSize(7);
		assertThat(result.accepted().size() + result.rejected().size()).isEqualTo(9).isEqualTo(reader.consumedCount());
		assertRejected(result.rejected().get(0), "line 2", "broken", "malformed JSON: ");
		assertRejected(result.rejected().get(1), "line 3", null,
				"invalid UTF-8 at offset " + (offsetOf(corpus, "{\"thread_id\": \"bytes\"") + 39));
		assertRejected(result.rejected().get(2), "line 5", "no-state", "the record has no state");
		assertRejected(result.rejected().get(3), "line 6", "array", "state is not a JSON object");
		assertRejected(result.rejected().get(4), "line 7", "when",
				"expires_at 'tomorrow' is not an ISO-8601 timestamp");
		assertRejected(result.rejected().get(5), "line 8", "ok-1", "duplicate thread id: an earlier record has it");
		assertRejected(result.rejected().get(6), "line 9", "", "empty thread id");
	}

	@Test
	void shouldAcceptUnpairedSurrogateEscapesAsPythonWritesThemInNamesAndValues() throws Exception {
		// given Python's json.dumps of {"k\ud800": "v\udc00"}, which Jackson's byte
		// parser refuses in a name
		String state = "{\"k\\ud800\": \"v\\udc00\", \"n\": 1}";
		Path map = write("surrogates.json", utf8("{\"t-1\": " + state + "}"));
		Path lines = write("surrogates.jsonl", utf8("{\"thread_id\": \"t-1\", \"state\": " + state + "}\n"));

		// when
		ReadResult fromMap = readAll(opened(reader(map)));
		ReadResult fromLines = readAll(opened(reader(lines)));

		// then both keep the escapes, as Jackson's generator writes them
		for (ReadResult result : List.of(fromMap, fromLines)) {
			assertThat(result.rejected()).isEmpty();
			assertThat(result.accepted()).singleElement()
				.satisfies(
						(entry) -> assertThat(entry.valueAsString()).isEqualTo("{\"k\\uD800\":\"v\\uDC00\",\"n\":1}"));
		}
	}

	@Test
	void shouldReadUpToTheCutOfATruncatedPlainFileThenFailWhereItBreaks() throws Exception {
		// given
		String full = "{\n  \"a\": {\"n\": 1},\n  \"b\": {\"n\": 2},\n  \"c\": {\"n\": 3, \"text\": \"cut here\"},\n  \"d\": {}\n}\n";
		byte[] cut = Arrays.copyOf(utf8(full), full.indexOf("cut here") + 3);
		SnapshotItemReader reader = reader(write("cut.json", cut));

		// when
		reader.open(new ExecutionContext());

		// then: no record to skip, the read fails at the record where the file ends
		assertThat(reader.read().threadId()).isEqualTo("a");
		assertThat(reader.read().threadId()).isEqualTo("b");
		assertThatExceptionOfType(BrokenInputException.class).isThrownBy(reader::read)
			.withMessageEndingWith("breaks at record 3 (byte " + full.indexOf("\"c\"")
					+ "): truncated file: the input ends inside this record")
			.satisfies((ex) -> assertThat(ex.offset()).isEqualTo(full.indexOf("\"c\"")));
		assertThat(reader.consumedCount()).isEqualTo(2);
		reader.close();
	}

	@Test
	void shouldReadUpToTheCutOfATruncatedGzipFileThenFailWhereItBreaks() throws Exception {
		// given 5000 JSON Lines records whose compressed file loses its last 40 %
		StringBuilder lines = new StringBuilder();
		for (int i = 0; i < 5000; i++) {
			lines.append("{\"thread_id\": \"t-%05d\", \"state\": {\"n\": %d, \"r\": %f}, \"expires_at\": null}\n"
				.formatted(i, i, Math.sin(i)));
		}
		byte[] compressed = gzip(utf8(lines.toString()));
		SnapshotItemReader reader = reader(
				write("cut.jsonl.gz", Arrays.copyOf(compressed, compressed.length * 6 / 10)));

		// when
		reader.open(new ExecutionContext());
		List<WorkflowEntry> accepted = new ArrayList<>();
		BrokenInputException broken = null;
		try {
			for (WorkflowEntry entry = reader.read(); entry != null; entry = reader.read()) {
				accepted.add(entry);
			}
		}
		catch (BrokenInputException ex) {
			broken = ex;
		}
		reader.close();

		// then every record before the cut is read, in order, and the read fails at the
		// cut
		assertThat(accepted).hasSizeBetween(1000, 4999);
		for (int i = 0; i < accepted.size(); i++) {
			assertThat(accepted.get(i).threadId()).isEqualTo("t-%05d".formatted(i));
		}
		assertThat(broken).isNotNull();
		assertThat(broken.getMessage()).contains("breaks at record %,d".formatted(accepted.size() + 1))
			.endsWith("truncated file: the input ends inside this record");
	}

	@Test
	void shouldCutAMemberThatFollowsAnotherWithoutACommaAndRejectItAlone() throws Exception {
		// given: the comma before "b" is missing
		SnapshotItemReader reader = reader(
				write("comma.json", utf8("{\"a\": {\"n\": 1} \"b\": {\"n\": 2}, \"c\": {}}")));

		// when
		reader.open(new ExecutionContext());
		ReadResult result = readAll(reader);
		reader.close();

		// then
		assertThat(result.threadIds()).containsExactly("a", "c");
		assertThat(result.rejected()).singleElement()
			.satisfies((rejected) -> assertRejected(rejected, "line 1, offset 15", "b",
					"malformed JSON: a ',' is missing between the previous member and this one"));
	}

	@Test
	void shouldReadEveryRecordExactlyOnceAcrossARestart() throws Exception {
		// given 10 records, the 3rd of them bad, the 8th a duplicate of the 2nd
		StringBuilder map = new StringBuilder("{");
		for (int i = 1; i <= 10; i++) {
			String id = (i == 8) ? "t2" : "t" + i;
			String state = (i == 3) ? "[]" : "{\"n\": " + i + "}";
			map.append((i > 1) ? ",\n" : "\n").append("  \"").append(id).append("\": ").append(state);
		}
		Path file = write("restart.json", utf8(map.append("\n}\n").toString()));
		ExecutionContext context = new ExecutionContext();
		SnapshotItemReader first = reader(file);
		first.open(context);
		ReadResult before = readUpTo(first, 4);
		first.update(context);
		first.close();

		// when
		SnapshotItemReader second = reader(file);
		second.open(context);
		ReadResult after = readAll(second);
		second.close();

		// then
		assertThat(before.threadIds()).containsExactly("t1", "t2", "t4");
		assertThat(after.threadIds()).containsExactly("t5", "t6", "t7", "t9", "t10");
		assertThat(before.rejected()).extracting(RejectedRecordException::threadId).containsExactly("t3");
		assertThat(after.rejected()).extracting(RejectedRecordException::reason)
			.containsExactly("duplicate thread id: an earlier record has it");
		assertThat(second.consumedCount()).isEqualTo(10);
	}

	@Test
	void shouldFailWithOneClearLineWhenTheFileIsMissing() {
		SnapshotItemReader reader = reader(this.dir.resolve("nowhere.json"));

		assertThatExceptionOfType(StoreAccessException.class).isThrownBy(() -> reader.open(new ExecutionContext()))
			.withMessage("snapshot file " + this.dir.resolve("nowhere.json") + " does not exist: check the path");
	}

	@Test
	void shouldDescribeAndEstimateTheStore() throws Exception {
		// given
		Path small = write("small.json", utf8(PYTHON_MAP));
		StringBuilder lines = new StringBuilder();
		for (int i = 0; i < 20000; i++) {
			lines.append("{\"thread_id\": \"t-%05d\", \"state\": {\"n\": %d}, \"expires_at\": null}\n".formatted(i, i));
		}
		Path large = write("large.jsonl.gz", gzip(utf8(lines.toString())));

		// when
		SnapshotWorkflowStore smallStore = new SnapshotWorkflowStore(small, properties().migration().maxRecordSize());
		SnapshotWorkflowStore largeStore = new SnapshotWorkflowStore(large, properties().migration().maxRecordSize());

		// then
		assertThat(smallStore.describe()).isEqualTo("snapshot:" + small);
		assertThat(smallStore.holdsExpiries()).isFalse();
		assertThat(smallStore.estimateCount()).isEqualTo(2);
		assertThat(largeStore.holdsExpiries()).isTrue();
		assertThat(largeStore.estimateCount()).isBetween(10000L, 40000L);
		assertThat(new SnapshotWorkflowStore(this.dir.resolve("missing.json"), properties().migration().maxRecordSize())
			.estimateCount()).isEqualTo(-1);
		assertThat(smallStore.readers("read")).singleElement().isInstanceOf(SnapshotItemReader.class);
	}

	private static void assertRejected(RejectedRecordException rejected, String position, String threadId,
			String reason) {
		assertThat(rejected.position()).isEqualTo(position);
		assertThat(rejected.threadId()).isEqualTo(threadId);
		if (reason.endsWith(": ")) {
			assertThat(rejected.reason()).startsWith(reason);
		}
		else {
			assertThat(rejected.reason()).isEqualTo(reason);
		}
	}

	private static SnapshotItemReader opened(SnapshotItemReader reader) {
		reader.open(new ExecutionContext());
		return reader;
	}

	private SnapshotItemReader reader(Path file) {
		return new SnapshotItemReader("snapshot", file, properties(Map.of()).migration().maxRecordSize().toBytes());
	}

	private Path write(String name, byte[] bytes) throws Exception {
		return Files.write(this.dir.resolve(name), bytes);
	}

}
