package dev.workflowkeeper.migration;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bad-input corpus: every kind of damage a snapshot can carry, built from a known set
 * of states and migrated by the real {@code migrate} command into a real redis-server.
 * Whatever the damage, every record of the file is written, filtered, expired or rejected
 * — the counts add up to what the file holds — and the exit code tells a clean run (0)
 * from one with rejects (3) and from a broken input (1, one line saying where, resumable
 * once the file is mended).
 */
class MigrateInputDamageFunctionalTests {

	private static final int STATES = 40;

	private static final int CHUNK = 5;

	/** Stands for the bytes C3 28, which are no UTF-8: a lone lead byte. */
	private static final String INVALID_UTF8 = "~INVALID~";

	private static RedisServerProcess redis;

	@TempDir
	Path tmp;

	KeeperCli cli;

	@BeforeAll
	static void startServer() {
		redis = RedisServerProcess.start(Version.DEFAULT);
	}

	@AfterAll
	static void stopServer() {
		redis.close();
	}

	@BeforeEach
	void setUp() {
		this.cli = new KeeperCli(this.tmp.resolve("data")).with("keeper.migration.chunk-size", CHUNK)
			.with("keeper.migration.prefetch", 0);
		try (Jedis jedis = jedis()) {
			jedis.flushAll();
		}
	}

	/** Damage that costs single records: the rest is copied, exit 3 (or 0). */
	static Stream<Arguments> recordDamage() {
		return Stream.of(
				// the issue's case: one comma removed before a member
				Arguments.of("missing comma", (Damage) (states) -> map(states).replace("}, \"t20\"", "} \"t20\""),
						STATES, STATES - 1, List.of("t20")),
				Arguments.of("missing comma after the first member",
						(Damage) (states) -> map(states).replace("}, \"t1\"", "}\n \"t1\""), STATES, STATES - 1,
						List.of("t1")),
				Arguments.of("extra comma", (Damage) (states) -> map(states).replace("}, \"t20\"", "}, , \"t20\""),
						STATES + 1, STATES, List.of()),
				Arguments.of("a record that is not an object",
						(Damage) (states) -> map(replace(states, "t7", "\"just a string\"")), STATES, STATES - 1,
						List.of("t7")),
				Arguments.of("malformed state",
						(Damage) (states) -> map(replace(states, "t8", "{\"status\": \"processing\", \"x\": }")),
						STATES, STATES - 1, List.of("t8")),
				Arguments.of("duplicate thread ids",
						(Damage) (states) -> map(states).replace("}}", "}, \"t3\": " + states.get("t3") + "}"),
						STATES + 1, STATES, List.of("t3")),
				Arguments.of("invalid UTF-8",
						(Damage) (states) -> map(replace(states, "t5", states.get("t5").replace("caf", INVALID_UTF8))),
						STATES, STATES - 1, List.of("t5")),
				Arguments.of("NaN and Infinity",
						(Damage) (states) -> map(states).replace("\"score\": 0.25",
								"\"score\": NaN, \"high\": Infinity, \"low\": -Infinity"),
						STATES, STATES, List.of()),
				Arguments.of("JSON Lines with a broken line",
						(Damage) (states) -> lines(states).replace("\"thread_id\": \"t9\", \"state\": {",
								"\"thread_id\": \"t9\", \"state\": {{"),
						STATES, STATES - 1, List.of("t9")),
				Arguments.of(
						"JSON Lines with a line that is not JSON", (Damage) (states) -> lines(states)
							.replace("{\"thread_id\": \"t11\"", "garbage {\"thread_id\": \"t11\""),
						STATES, STATES - 1, List.of()));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("recordDamage")
	void shouldCopyEveryGoodRecordAndRejectEachDamagedOne(String name, Damage damage, int records, int written,
			List<String> rejectedIds) throws Exception {
		// given
		Path file = write("states.json", withInvalidUtf8(damage.apply(SampleStates.states(STATES))));

		// when
		KeeperCli.Result result = migrate(file);

		// then: the counts add up to what the file holds, and rejects are told apart
		Map<String, Object> execution = History.latest(this.cli);
		assertAddsUp(execution, records);
		assertThat(History.figure(execution, "migrate.written")).isEqualTo(written);
		assertThat(dbSize()).isEqualTo(written);
		long rejected = records - written;
		assertThat(History.figure(execution, "migrate.rejected")).isEqualTo(rejected);
		if (rejected == 0) {
			assertThat(result.exitCode()).as(result.toString()).isZero();
			assertThat(execution.get("exitCode")).isEqualTo("COMPLETED");
			assertThat(rejectsFiles()).isEmpty();
		}
		else {
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
			assertThat(execution.get("exitCode")).isEqualTo("COMPLETED WITH REJECTS");
			assertThat(result.out()).contains("rejected: see the rejects report");
			List<String> lines = Files.readAllLines(rejectsFiles().get(0));
			assertThat(lines).hasSize((int) rejected)
				.allSatisfy((line) -> assertThat(line).contains("\"position\":\"line ").contains("\"reason\":\""));
			for (String id : rejectedIds) {
				assertThat(lines).anySatisfy((line) -> assertThat(line).contains("\"threadId\":\"" + id + "\""));
			}
		}
		assertThat(result.err()).doesNotContain("error:").doesNotContain("\tat ");
	}

	/**
	 * Damage that breaks the input as a whole: the run fails, and resumes once mended.
	 */
	static Stream<Arguments> structuralDamage() {
		return Stream.of(
				Arguments.of("not JSON", (Breaker) (good) -> "hello, world\n".getBytes(StandardCharsets.UTF_8),
						"the file is not JSON"),
				Arguments.of("a top-level array",
						(Breaker) (good) -> ("[" + new String(good, StandardCharsets.UTF_8) + "]")
							.getBytes(StandardCharsets.UTF_8),
						"the file holds a JSON array"),
				Arguments.of("an empty file", (Breaker) (good) -> new byte[0], "the file is empty"),
				Arguments.of("a map truncated at 10%", cut(0.10), "truncated file"),
				Arguments.of("a map truncated at 55%", cut(0.55), "truncated file"),
				Arguments.of("a map truncated at 90%", cut(0.90), "truncated file"),
				Arguments.of("a map truncated before its closing brace", cut(
						-1), "truncated file"),
				Arguments.of("content after the map",
						(Breaker) (good) -> (new String(good, StandardCharsets.UTF_8) + "{\"t99\": {}}")
							.getBytes(StandardCharsets.UTF_8),
						"unexpected content after the end of the map"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("structuralDamage")
	void shouldFailOnABrokenInputAndResumeOnceItIsMended(String name, Breaker breaker, String reason) throws Exception {
		// given
		byte[] good = Files
			.readAllBytes(SampleStates.writeMap(this.tmp.resolve("good.json"), SampleStates.states(STATES)));
		Path file = write("states.json", breaker.apply(good));

		// when
		KeeperCli.Result broken = migrate(file);

		// then: exit 1, one line that says where and how much was copied
		assertBrokenRun(broken, reason);
		Files.write(file, good);

		// when: the same command, the file mended
		KeeperCli.Result resumed = migrate(file);

		// then: it resumes, and the counts are exact over both attempts
		assertResumed(resumed);
	}

	@Test
	void shouldFailOnATruncatedGzipAndResumeOnceItIsMended() throws Exception {
		// given
		byte[] good = gzip(
				Files.readAllBytes(SampleStates.writeMap(this.tmp.resolve("good.json"), SampleStates.states(STATES))));
		Path file = write("states.json.gz", Arrays.copyOf(good, good.length * 6 / 10));

		// when
		KeeperCli.Result broken = migrate(file);

		// then
		assertBrokenRun(broken, "truncated file");
		Files.write(file, good);
		assertResumed(migrate(file));
	}

	@Test
	void shouldFailOnTruncatedJsonLinesAndResumeOnceItIsMended() throws Exception {
		// given
		byte[] good = lines(SampleStates.states(STATES)).getBytes(StandardCharsets.UTF_8);
		Path file = write("states.jsonl", Arrays.copyOf(good, good.length / 2));

		// when
		KeeperCli.Result broken = migrate(file);

		// then
		assertBrokenRun(broken, "truncated file");
		Files.write(file, good);
		assertResumed(migrate(file));
	}

	@Test
	void shouldRefuseToResumeFromAnotherFile() throws Exception {
		// given: a broken run, then a different file under the same name
		byte[] good = Files
			.readAllBytes(SampleStates.writeMap(this.tmp.resolve("good.json"), SampleStates.states(STATES)));
		Path file = write("states.json", Arrays.copyOf(good, good.length / 2));
		assertBrokenRun(migrate(file), "truncated file");
		Map<String, String> others = new LinkedHashMap<>();
		SampleStates.states(STATES).forEach((id, state) -> others.put("other-" + id, state));
		SampleStates.writeMap(file, others);

		// when
		KeeperCli.Result result = migrate(file);

		// then: nothing is skipped on the strength of another file's records
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
		assertThat(errorLines(result)).hasSize(1)
			.first()
			.asString()
			.contains("is not the one the interrupted run read");
	}

	@Test
	void shouldGiveTheSameExitCodeForRejectsThroughTheGenericRunCommand() throws Exception {
		// given: 40 states, 2 of them not objects
		Map<String, String> states = SampleStates.states(STATES);
		states.put("t0", "\"not an object\"");
		states.put("t3", "\"not an object\"");
		Path file = write("states.json", map(states).getBytes(StandardCharsets.UTF_8));

		// when: the job is run as any job is
		KeeperCli.Result result = this.cli.run("run", "migrateStatesJob", "--from", "snapshot:" + file, "--to",
				redis.uri());

		// then: the outcome a script can tell from a clean run, as migrate gives it
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		assertThat(result.out()).contains("COMPLETED WITH REJECTS");
		assertThat(errorLines(result)).isEmpty();
	}

	@Test
	void shouldFailPastMaxRejectsAndResumeWithAHigherLimitAndAnotherPace() throws Exception {
		// given: 40 states, 12 of them not objects
		Map<String, String> states = SampleStates.states(STATES);
		for (int i = 0; i < 12; i++) {
			states.put("t" + (i * 3), "\"not an object\"");
		}
		Path file = write("states.json", map(states).getBytes(StandardCharsets.UTF_8));

		// when
		KeeperCli.Result failed = migrate(file, "--max-rejects", "10", "--max-rate", "100000", "--latency-budget",
				"5ms");

		// then
		assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
		assertThat(errorLines(failed)).hasSize(1)
			.first()
			.asString()
			.contains("more than 10 records rejected (--max-rejects 10)");
		Map<String, Object> failedExecution = History.latest(this.cli);
		assertThat(failedExecution.get("status")).isEqualTo("FAILED");

		// when: the same command with a higher limit, and another pace
		KeeperCli.Result resumed = migrate(file, "--max-rejects", "12", "--latency-budget", "0");

		// then: the same run goes on, exact counts, at the new pace (the rate's default)
		assertThat(resumed.exitCode()).as(resumed.toString()).isEqualTo(3);
		Map<String, Object> execution = History.latest(this.cli);
		@SuppressWarnings("unchecked")
		Map<String, String> parameters = (Map<String, String>) execution.get("parameters");
		@SuppressWarnings("unchecked")
		Map<String, String> failedParameters = (Map<String, String>) failedExecution.get("parameters");
		assertThat(failedParameters).containsEntry("maxRate", "100000").containsEntry("latencyBudget", "PT0.005S");
		assertThat(parameters).containsEntry("run", failedParameters.get("run"))
			.containsEntry("maxRejects", "12")
			.containsEntry("maxRate", "0")
			.containsEntry("latencyBudget", "PT0S");
		assertAddsUp(execution, STATES);
		assertThat(History.figure(execution, "migrate.written")).isEqualTo(STATES - 12);
		assertThat(History.figure(execution, "migrate.keptExisting")).isZero();
		assertThat(History.figure(execution, "migrate.rejected")).isEqualTo(12);
		assertThat(Files.readAllLines(rejectsFiles().get(0))).hasSize(12);
	}

	@Test
	void shouldFailOnAnyRejectWithMaxRejectsZero() throws Exception {
		Path file = write("states.json",
				map(replace(SampleStates.states(STATES), "t4", "[]")).getBytes(StandardCharsets.UTF_8));

		KeeperCli.Result result = migrate(file, "--max-rejects", "0");

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
		assertThat(errorLines(result)).hasSize(1).first().asString().contains("more than 0 records rejected");
	}

	@Test
	void shouldFailPastTheDefaultOf100Rejects() throws Exception {
		StringBuilder lines = new StringBuilder(lines(SampleStates.states(STATES)));
		for (int i = 0; i < 101; i++) {
			lines.append("not json ").append(i).append('\n');
		}
		Path file = write("states.jsonl", lines.toString().getBytes(StandardCharsets.UTF_8));

		KeeperCli.Result result = migrate(file);

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
		assertThat(errorLines(result)).hasSize(1).first().asString().contains("more than 100 records rejected");
	}

	@Test
	void shouldCarryNanAndInfinityThroughRedisAndBackByteForByte() throws Exception {
		// given: states as the service's json.dump writes them, NaN and Infinity included
		Map<String, String> states = SampleStates.states(10);
		states.replaceAll((id, state) -> state.replace("\"score\": 0.25",
				"\"score\": NaN, \"high\": Infinity, \"low\": -Infinity, \"exact\": 1.50"));
		Path source = SampleStates.writeMap(this.tmp.resolve("nan.json"), states);

		// when: snapshot → redis → snapshot, each verified
		KeeperCli.Result in = migrate(source);
		try (Jedis jedis = jedis()) {
			// and one as the service's json.dumps writes it into Redis itself
			jedis.setex(SampleStates.PREFIX + "svc", 3_600,
					SampleStates.state("svc", "processing", 60).replace("\"score\": 0.25", "\"score\": NaN"));
		}
		Path back = this.tmp.resolve("back.jsonl");
		KeeperCli.Result out = this.cli.run("migrate", "--from", redis.uri(), "--to", "snapshot:" + back);

		// then
		assertThat(in.exitCode()).as(in.toString()).isZero();
		assertThat(in.out()).contains(" 0 extra");
		assertThat(out.exitCode()).as(out.toString()).isZero();
		assertThat(out.out()).contains("11 matched, 0 missing, 0 mismatched");
		try (Jedis jedis = jedis()) {
			assertThat(jedis.get(SampleStates.PREFIX + "t3"))
				.contains("\"score\":NaN,\"high\":Infinity,\"low\":-Infinity,\"exact\":1.50");
		}
		assertThat(Files.readString(back)).contains("\"score\":NaN,\"high\":Infinity,\"low\":-Infinity,\"exact\":1.50");
	}

	@Test
	void shouldLoseNoStateOfTheIssuesMapWithOneCommaRemoved() throws Exception {
		// given: a json.dump map of 1,000 states, the comma before "py-0500" removed
		Map<String, String> states = new LinkedHashMap<>();
		for (int i = 0; i < 1000; i++) {
			String id = "py-%04d".formatted(i);
			states.put(id, SampleStates.state(id, "processing", 60));
		}
		Path file = write("states.json",
				map(states).replace("}, \"py-0500\"", "} \"py-0500\"").getBytes(StandardCharsets.UTF_8));

		// when
		KeeperCli.Result result = this.cli.with("keeper.migration.chunk-size", 1000)
			.run("migrate", "--from", "snapshot:" + file, "--to", redis.uri());

		// then: py-0499 is copied, py-0500 rejected with its position, nothing vanished
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		Map<String, Object> execution = History.latest(this.cli);
		assertAddsUp(execution, 1000);
		assertThat(History.figure(execution, "migrate.written")).isEqualTo(999);
		try (Jedis jedis = jedis()) {
			assertThat(jedis.exists(SampleStates.PREFIX + "py-0499")).isTrue();
			assertThat(jedis.exists(SampleStates.PREFIX + "py-0500")).isFalse();
		}
		assertThat(Files.readAllLines(rejectsFiles().get(0))).singleElement()
			.asString()
			.contains("\"threadId\":\"py-0500\"")
			.contains("a ',' is missing");
	}

	@Test
	void shouldSayThatStatesPastTheirTtlExpiredBeforeTheCopy() throws Exception {
		// given: 40 states, 3 of them updated two days ago (past the 24 h TTL)
		Map<String, String> states = SampleStates.states(STATES);
		for (String id : List.of("t1", "t2", "t3")) {
			states.put(id, SampleStates.state(id, "processing", 2 * 86_400));
		}
		Path file = write("states.json", map(states).getBytes(StandardCharsets.UTF_8));

		// when
		KeeperCli.Result result = migrate(file);

		// then: never written, and not said to have expired "meanwhile"
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertAddsUp(History.latest(this.cli), STATES);
		assertThat(History.figure(History.latest(this.cli), "migrate.expired")).isEqualTo(3);
		assertThat(result.out()).contains("3 expired before copy, 0 expired after copy");
	}

	private void assertBrokenRun(KeeperCli.Result result, String reason) throws Exception {
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
		assertThat(errorLines(result)).as(result.toString())
			.hasSize(1)
			.first()
			.asString()
			.contains("breaks at record")
			.contains("byte")
			.contains(reason)
			.contains("states copied before it");
		assertThat(result.err()).doesNotContain("\tat ").contains("run the same command again");
		Map<String, Object> execution = History.latest(this.cli);
		assertThat(execution.get("status")).isEqualTo("FAILED");
		assertThat(dbSize()).isEqualTo(History.figure(execution, "migrate.written"));
	}

	private void assertResumed(KeeperCli.Result resumed) throws Exception {
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		Map<String, Object> execution = History.latest(this.cli);
		assertThat(execution.get("status")).isEqualTo("COMPLETED");
		assertAddsUp(execution, STATES);
		// a new run would find the states copied before and keep them: a resumed one
		// counts each state once, as written
		assertThat(History.figure(execution, "migrate.written")).isEqualTo(STATES);
		assertThat(History.figure(execution, "migrate.keptExisting")).isZero();
		assertThat(History.figure(execution, "migrate.rejected")).isZero();
		assertThat(dbSize()).isEqualTo(STATES);
	}

	/** read = written + kept + filtered + expired + rejected = what the file holds. */
	private static void assertAddsUp(Map<String, Object> execution, long records) {
		long read = History.figure(execution, "migrate.read");
		assertThat(read).isEqualTo(records);
		assertThat(History.figure(execution, "migrate.written") + History.figure(execution, "migrate.keptExisting")
				+ History.figure(execution, "migrate.filtered") + History.figure(execution, "migrate.expired")
				+ History.figure(execution, "migrate.rejected"))
			.isEqualTo(read);
	}

	private KeeperCli.Result migrate(Path file, String... more) {
		String[] args = Stream
			.concat(Stream.of("migrate", "--from", "snapshot:" + file, "--to", redis.uri()), Stream.of(more))
			.toArray(String[]::new);
		return this.cli.run(args);
	}

	private Path write(String name, byte[] bytes) throws IOException {
		return Files.write(this.tmp.resolve(name), bytes);
	}

	private List<Path> rejectsFiles() throws IOException {
		Path dir = this.cli.dataDir().resolve("rejects");
		if (!Files.isDirectory(dir)) {
			return List.of();
		}
		try (Stream<Path> files = Files.list(dir)) {
			return files.toList();
		}
	}

	private static List<String> errorLines(KeeperCli.Result result) {
		return result.err().lines().filter((line) -> line.startsWith("error:")).toList();
	}

	private long dbSize() {
		try (Jedis jedis = jedis()) {
			return jedis.dbSize();
		}
	}

	private static Jedis jedis() {
		return new Jedis("127.0.0.1", redis.port());
	}

	private static Map<String, String> replace(Map<String, String> states, String id, String value) {
		states.put(id, value);
		return states;
	}

	/** As the service's json.dump writes its dict. */
	private static String map(Map<String, String> states) {
		StringBuilder json = new StringBuilder("{");
		states.forEach((id, state) -> json.append((json.length() > 1) ? ", " : "")
			.append('"')
			.append(id)
			.append("\": ")
			.append(state));
		return json.append('}').toString();
	}

	/** As the worker writes JSON Lines (no expiries). */
	private static String lines(Map<String, String> states) {
		StringBuilder json = new StringBuilder();
		states.forEach((id, state) -> json.append("{\"thread_id\": \"")
			.append(id)
			.append("\", \"state\": ")
			.append(state)
			.append(", \"expires_at\": null}\n"));
		return json.toString();
	}

	/**
	 * The good file cut at a share of its length; a negative share: before its last byte.
	 */
	private static Breaker cut(double share) {
		return (good) -> Arrays.copyOf(good, (share < 0) ? good.length - 1 : (int) (good.length * share));
	}

	private static byte[] withInvalidUtf8(String text) {
		String[] parts = text.split(INVALID_UTF8, -1);
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (int i = 0; i < parts.length; i++) {
			if (i > 0) {
				out.writeBytes(new byte[] { (byte) 0xC3, (byte) 0x28 });
			}
			out.writeBytes(parts[i].getBytes(StandardCharsets.UTF_8));
		}
		return out.toByteArray();
	}

	private static byte[] gzip(byte[] bytes) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
			gz.write(bytes);
		}
		return out.toByteArray();
	}

	/** Damages the text of a set of states. */
	@FunctionalInterface
	interface Damage {

		String apply(Map<String, String> states);

	}

	/** Breaks the bytes of a good file. */
	@FunctionalInterface
	interface Breaker {

		byte[] apply(byte[] good);

	}

}
