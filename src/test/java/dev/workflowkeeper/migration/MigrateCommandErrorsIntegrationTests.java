package dev.workflowkeeper.migration;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a user sees when something is wrong: bad input is rejected into a report with
 * exact counts; a wrong option, address or password ends in one clear line and exit code
 * 2.
 */
class MigrateCommandErrorsIntegrationTests {

	private static final String PASSWORD = "s3cret-Pa55";

	private static RedisServerProcess redis;

	private static RedisServerProcess protectedRedis;

	@TempDir
	Path tmp;

	KeeperCli cli;

	@BeforeAll
	static void startServers() {
		redis = RedisServerProcess.start(Version.DEFAULT);
		protectedRedis = RedisServerProcess.start(Version.DEFAULT, "--requirepass", PASSWORD);
	}

	@AfterAll
	static void stopServers() {
		redis.close();
		protectedRedis.close();
	}

	@BeforeEach
	void setUp() {
		this.cli = new KeeperCli(this.tmp.resolve("data"));
		try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
			jedis.flushAll();
		}
	}

	@Test
	void shouldRejectMalformedRecordsIntoAReportWithExactCounts() throws Exception {
		// given: 10 good states and 6 bad records in the service's map format
		ByteArrayOutputStream file = new ByteArrayOutputStream();
		StringBuilder good = new StringBuilder();
		for (int i = 0; i < 10; i++) {
			good.append("\"ok")
				.append(i)
				.append("\": ")
				.append(SampleStates.state("ok" + i, "processing", 60))
				.append(", ");
		}
		file.write(("{" + good).getBytes(StandardCharsets.UTF_8));
		file.write("\"bad-json\": {\"status\": \"processing\", \"updated_at\": }, ".getBytes(StandardCharsets.UTF_8));
		file.write("\"not-an-object\": \"just a string\", ".getBytes(StandardCharsets.UTF_8));
		file.write("\"\": {\"status\": \"processing\"}, ".getBytes(StandardCharsets.UTF_8));
		file.write("\"glob*id\": {\"status\": \"processing\"}, ".getBytes(StandardCharsets.UTF_8));
		file.write("\"ok0\": {\"status\": \"duplicate\"}, ".getBytes(StandardCharsets.UTF_8));
		file.write("\"bad-utf8\": {\"status\": \"".getBytes(StandardCharsets.UTF_8));
		file.write(new byte[] { (byte) 0xC3, (byte) 0x28 });
		file.write("\"}}".getBytes(StandardCharsets.UTF_8));
		Path snapshot = this.tmp.resolve("corpus.json");
		Files.write(snapshot, file.toByteArray());

		// when
		KeeperCli.Result result = this.cli.run("migrate", "--from", "snapshot:" + snapshot, "--to", redis.uri());

		// then: 10 migrated, 6 rejected into the report, none silently dropped
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
		Map<String, Object> execution = History.latest(this.cli);
		assertThat(History.figure(execution, "migrate.read")).isEqualTo(16);
		assertThat(History.figure(execution, "migrate.written")).isEqualTo(10);
		assertThat(History.figure(execution, "migrate.rejected")).isEqualTo(6);
		Path rejects = Files.list(this.cli.dataDir().resolve("rejects")).findFirst().orElseThrow();
		List<String> lines = Files.readAllLines(rejects);
		assertThat(lines).hasSize(6).allMatch((line) -> line.contains("\"position\"") && line.contains("\"reason\""));
		try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
			assertThat(jedis.dbSize()).isEqualTo(10);
		}
	}

	@Test
	void shouldFailTheRunPastTheSkipLimit() throws Exception {
		// given: 3 bad records, a limit of 2
		Path snapshot = this.tmp.resolve("bad.jsonl");
		Files.writeString(snapshot, "{\"thread_id\": \"a\", \"state\": 1}\n{\"thread_id\": \"b\", \"state\": 2}\n"
				+ "{\"thread_id\": \"c\", \"state\": 3}\n");

		// when
		KeeperCli.Result result = this.cli.run("migrate", "--from", "snapshot:" + snapshot, "--to", redis.uri(),
				"--max-rejects", "2");

		// then
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
		assertThat(History.latest(this.cli).get("status")).isEqualTo("FAILED");
	}

	@Test
	void shouldAnswerAnUnknownOptionWithUsage() {
		KeeperCli.Result result = this.cli.run("migrate", "--from", "memory:", "--to", redis.uri(), "--frobnicate");
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err())
			.startsWith("error: migrateStatesJob: unknown option '--frobnicate'; it takes --from, --to");
	}

	@Test
	void shouldAnswerAnUnknownStoreInOneLine() {
		KeeperCli.Result result = this.cli.run("migrate", "--from", "mongodb://x", "--to", redis.uri());
		assertThat(result.exitCode()).isEqualTo(2);
		assertThat(result.err().strip().lines()).hasSize(1)
			.first()
			.asString()
			.startsWith("error: migrateStatesJob: option from: unknown store address");
	}

	@Test
	void shouldAnswerAMissingSnapshotInOneLine() {
		KeeperCli.Result result = this.cli.run("migrate", "--from", "snapshot:" + this.tmp.resolve("nope.json"), "--to",
				redis.uri());
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(errorLines(result)).hasSize(1).first().asString().contains("nope.json");
	}

	@Test
	void shouldAnswerAnUnreachableRedisInOneLine() {
		int port = RedisServerProcess.freePort();
		KeeperCli.Result result = this.cli.run("migrate", "--from", "memory:", "--to",
				"redis://127.0.0.1:" + port + "/0");
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(errorLines(result)).hasSize(1).first().asString().contains("127.0.0.1:" + port);
	}

	@Test
	void shouldAnswerAWrongPasswordInOneLineWithoutShowingIt() {
		KeeperCli.Result result = this.cli.run("migrate", "--from", "memory:", "--to",
				"redis://:wrong-" + PASSWORD + "@127.0.0.1:" + protectedRedis.port() + "/0");
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(errorLines(result)).hasSize(1);
		assertThat(result.out() + result.err()).doesNotContain(PASSWORD);
	}

	@Test
	void shouldNeverStoreOrPrintThePassword() throws Exception {
		// given
		try (Jedis jedis = new Jedis("127.0.0.1", protectedRedis.port())) {
			jedis.auth(PASSWORD);
			jedis.flushAll();
			SampleStates.load(jedis, SampleStates.states(5), 600);
		}
		String uri = "redis://:" + PASSWORD + "@127.0.0.1:" + protectedRedis.port() + "/0";

		// when: a separate process, so that its logs are searched too
		KeeperCli.Result result = this.cli
			.await(this.cli.start("migrate", "--from", uri, "--to", "snapshot:" + this.tmp.resolve("out.jsonl")), 120);
		KeeperCli.Result history = this.cli.run("history", "--format", "json");

		// then
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out() + result.err() + history.out() + history.err()).doesNotContain(PASSWORD);
		assertThat(history.out()).contains(":****@");
	}

	private static List<String> errorLines(KeeperCli.Result result) {
		return result.err().lines().filter((line) -> line.startsWith("error:")).toList();
	}

}
