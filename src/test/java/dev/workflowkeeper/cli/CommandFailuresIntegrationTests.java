package dev.workflowkeeper.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command against every failure a user meets at start — Redis down, a refused
 * password, TLS to a plain-text Redis, a target that cannot be written, a schedule that
 * never fires — ends in exactly one {@code error:} line that says what is wrong, with the
 * documented exit code and no stack trace on stderr (logs included); {@code --debug}
 * shows it. A Redis that dies during a run, and Ctrl-C, are told with how to resume.
 */
class CommandFailuresIntegrationTests {

	private static final String PASSWORD = "s3cret-Pa55-4711";

	@TempDir
	static Path tmp;

	private static RedisServerProcess plain;

	private static RedisServerProcess protectedRedis;

	private static String down;

	@BeforeAll
	static void startServers() throws Exception {
		plain = RedisServerProcess.start(Version.DEFAULT);
		protectedRedis = RedisServerProcess.start(Version.DEFAULT, "--requirepass", PASSWORD);
		// a port nothing listens on for the whole run (a free port picked now could be
		// taken
		// later by a server of another test, or by a history database shared over TCP)
		down = "redis://127.0.0.1:1/0";
		Files.writeString(tmp.resolve("existing.jsonl"), "");
		Files.createDirectories(tmp.resolve("a-directory"));
		Path jobs = Files.createDirectories(tmp.resolve("jobs"));
		Files.writeString(jobs.resolve("purge.yml"),
				"job: purgeStatesJob\nschedule: \"0 0 4 31 2 *\"\noptions:\n  dryRun: true\n");
	}

	@AfterAll
	static void stopServers() {
		plain.close();
		protectedRedis.close();
	}

	static Stream<Arguments> failures() {
		String refused = "redis://:wrong-" + PASSWORD + "@127.0.0.1:" + protectedRedis.port() + "/0";
		String tls = "rediss://127.0.0.1:" + plain.port() + "/0";
		List<Arguments> cases = new ArrayList<>();
		for (String[] store : List.of(new String[] { "Redis down", down, "cannot reach Redis at " + down },
				new String[] { "refused password", refused, "refused the credentials" },
				new String[] { "TLS mismatch", tls, "is the server plain text?" })) {
			String failure = store[0];
			String address = store[1];
			String says = store[2];
			cases.add(Arguments.of(failure, List.of("report", "--store", address), 2, says));
			cases.add(Arguments.of(failure, List.of("enforce-ttl", "--store", address, "--dry-run"), 2, says));
			cases.add(Arguments.of(failure, List.of("purge", "--store", address, "--dry-run"), 2, says));
			cases.add(Arguments.of(failure, List.of("generate", "--to", address, "--count", "10"), 2, says));
			cases.add(Arguments.of(failure, List.of("migrate", "--from", address, "--to", "memory:"), 2, says));
			cases.add(Arguments.of(failure, List.of("migrate", "--from", "memory:", "--to", address), 2, says));
			cases.add(Arguments.of(failure, List.of("run", "reportMemoryJob", "--store", address), 2, says));
		}
		String existing = "snapshot:" + tmp.resolve("existing.jsonl");
		String directory = "snapshot:" + tmp.resolve("a-directory");
		cases.add(Arguments.of("unwritable target", List.of("migrate", "--from", "memory:", "--to", existing), 2,
				"exists already: remove it, give another file, or use --on-conflict overwrite"));
		cases.add(Arguments.of("unwritable target",
				List.of("migrate", "--from", "memory:", "--to", directory, "--on-conflict", "overwrite"), 2,
				"is a directory"));
		cases.add(Arguments.of("unwritable target", List.of("generate", "--to", directory, "--count", "10"), 2,
				"is a directory"));
		cases.add(Arguments.of("target too small", List.of("generate", "--to", plain.uri(), "--count", "100000000"), 2,
				"lower --count"));
		cases.add(Arguments.of("bad cron", List.of("serve"), 2, "never fires"));
		cases.add(Arguments.of("unknown execution", List.of("history", "restart", "999999"), 2, "999999"));
		return cases.stream();
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("failures")
	void shouldEndInOneErrorLineWithTheDocumentedExitCode(String failure, List<String> args, int exitCode,
			String says) {
		// when
		KeeperCli.Result result = runCapturingLogs(args.toArray(String[]::new));

		// then
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
		assertThat(errorLines(result)).as(result.toString()).hasSize(1).first().asString().contains(says);
		assertThat(result.err()).as(result.toString()).doesNotContain("\tat ").doesNotContain(PASSWORD);
		assertThat(result.out()).doesNotContain(PASSWORD);
	}

	@Test
	void shouldFailTheTlsHandshakeWithAPlainTextRedisWithinTheConnectTimeout() {
		// when
		long start = System.nanoTime();
		KeeperCli.Result result = runCapturingLogs("report", "--store", "rediss://127.0.0.1:" + plain.port() + "/0");
		Duration took = Duration.ofNanos(System.nanoTime() - start);

		// then: the default connect timeout is 10 s; once it hung past 60 s
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(took).isLessThan(Duration.ofSeconds(30));
		assertThat(errorLines(result)).singleElement()
			.asString()
			.contains("TLS handshake with Redis at rediss://127.0.0.1:" + plain.port());
	}

	@Test
	void shouldShowTheStackTraceWithDebug() throws Exception {
		// given
		KeeperCli cli = new KeeperCli(tmp.resolve("debug"));

		// when
		KeeperCli.Result result = cli.await(cli.start("generate", "--to", down, "--count", "10", "--debug"), 120);

		// then
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(errorLines(result)).hasSize(1);
		assertThat(result.err()).contains("\tat ");
	}

	@Test
	void shouldTellARedisThatDiedDuringARunWithHowToResume() throws Exception {
		// given: a Redis that dies once the run has written some states
		KeeperCli cli = new KeeperCli(tmp.resolve("dying")).with("keeper.migration.chunk-size", 100)
			.with("keeper.redis.socket-timeout", 5)
			.with("keeper.redis.connect-timeout", 2);
		try (RedisServerProcess dying = RedisServerProcess.start(Version.DEFAULT)) {
			Process process = cli.start("generate", "--to", dying.uri(), "--count", "2000000");
			awaitKeys(dying, 2_000, process);

			// when
			dying.kill();
			KeeperCli.Result result = cli.await(process, 120);

			// then
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
			assertThat(errorLines(result)).as(result.toString())
				.singleElement()
				.asString()
				.contains("Redis at " + dying.uri())
				.endsWith("run the same command again to resume from its last checkpoint");
			assertThat(result.err()).as(result.toString()).doesNotContain("\tat ");
		}
	}

	@Test
	void shouldTellAnInterruptedRunThatItWasStoppedAndHowToResume() throws Exception {
		// given: a long generation to a file
		KeeperCli cli = new KeeperCli(tmp.resolve("interrupted")).with("keeper.migration.chunk-size", 100);
		Path target = tmp.resolve("interrupted.jsonl");
		Process process = cli.start("generate", "--to", "snapshot:" + target, "--count", "2000000");
		Path partial = target.resolveSibling("." + target.getFileName() + ".part");
		long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
		while (!(Files.exists(partial) && Files.size(partial) > 100_000) && process.isAlive()
				&& System.nanoTime() < deadline) {
			Thread.sleep(100);
		}

		// when: Ctrl-C
		new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).start().waitFor();
		KeeperCli.Result result = cli.await(process, 120);

		// then
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(130);
		assertThat(errorLines(result)).as(result.toString())
			.singleElement()
			.asString()
			.startsWith("error: generateStatesJob was stopped at a chunk boundary (execution ")
			.endsWith("run the same command again to resume");
		assertThat(result.err()).doesNotContain("\tat ").doesNotContain("JobInterruptedException");
	}

	@Test
	void shouldWarnWhenNoStateHasTheStatusAsked() throws Exception {
		// given
		Path snapshot = tmp.resolve("statuses.jsonl");
		Files.writeString(snapshot, "{\"thread_id\": \"a\", \"state\": {\"status\": \"processing\"}}\n"
				+ "{\"thread_id\": \"b\", \"state\": {\"status\": \"completed\"}}\n");

		// when
		KeeperCli.Result result = runCapturingLogs("migrate", "--from", "snapshot:" + snapshot, "--to", "memory:",
				"--status", "nosuchstatus", "--dry-run");

		// then
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.err()).contains(
				"warning: no state of the 2 read has the status nosuchstatus (compared ignoring case): nothing was copied");
	}

	/**
	 * Runs a command in this JVM with what the logs write to stderr added to its error
	 * output.
	 */
	private static KeeperCli.Result runCapturingLogs(String... args) {
		KeeperCli cli = new KeeperCli(tmp.resolve("data")).with("server.port", 0);
		if (args[0].equals("serve")) {
			cli.with("keeper.scheduling.enabled", true)
				.with("keeper.scheduling.jobs-dir", tmp.resolve("jobs").toString());
		}
		PrintStream original = System.err;
		ByteArrayOutputStream logs = new ByteArrayOutputStream();
		System.setErr(new PrintStream(logs, true, StandardCharsets.UTF_8));
		KeeperCli.Result result;
		try {
			result = cli.run(args);
		}
		finally {
			System.setErr(original);
		}
		String captured = logs.toString(StandardCharsets.UTF_8);
		original.print(captured);
		return new KeeperCli.Result(result.exitCode(), result.out(), captured + result.err());
	}

	private static void awaitKeys(RedisServerProcess redis, long keys, Process process) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
		try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
			while (jedis.dbSize() < keys) {
				assertThat(process.isAlive()).as("generate ended before writing " + keys + " states").isTrue();
				assertThat(System.nanoTime()).as("generate wrote too slowly").isLessThan(deadline);
				Thread.sleep(50);
			}
		}
	}

	private static List<String> errorLines(KeeperCli.Result result) {
		return result.err().lines().filter((line) -> line.startsWith("error:")).toList();
	}

}
