package dev.workflowkeeper.cli;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One-off commands started at the same moment in one folder share its default H2 history
 * (AUTO_SERVER): none fails to open it, none loses it when the process that holds the
 * file ends first, and every run is recorded. The history's schema is created once, and
 * H2 writes no trace of errors on the way.
 */
class ConcurrentCommandsFunctionalTests {

	private static final int PAIRS = 10;

	/** Lighter JVMs: twenty of them start at once. */
	private static final List<String> JVM = List.of("-Xmx192m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

	@TempDir
	Path tmp;

	private RedisServerProcess redis;

	@BeforeEach
	void startRedis() {
		// A server of its own: each pair works on a database of its own, so that no two
		// commands run the same job with the same options (which is refused by design).
		this.redis = RedisServerProcess.start(Version.DEFAULT);
		for (int db = 0; db < PAIRS; db++) {
			try (Jedis jedis = new Jedis("127.0.0.1", this.redis.port())) {
				jedis.select(db);
				for (int i = 0; i < 20; i++) {
					jedis.set("document_workflow:pair" + db + "-" + i,
							"{\"thread_id\":\"pair" + db + "-" + i + "\",\"status\":\"running\"}");
				}
			}
		}
	}

	@AfterEach
	void stopRedis() {
		this.redis.close();
	}

	@Test
	void shouldRunAndRecordEveryCommandOfManyPairsStartedAtOnceInOneFolder() throws Exception {
		// given: a fresh folder, no history yet
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data"));

		// when: ten pairs of report and enforce-ttl --dry-run start at the same moment
		Map<String, Process> processes = new LinkedHashMap<>();
		for (int db = 0; db < PAIRS; db++) {
			processes.put("report-" + db, cli.start("report-" + db, JVM, "report", "--store", this.redis.uri(db)));
			processes.put("enforce-ttl-" + db,
					cli.start("enforce-ttl-" + db, JVM, "enforce-ttl", "--store", this.redis.uri(db), "--dry-run"));
		}
		List<KeeperCli.Result> results = new ArrayList<>();
		for (Map.Entry<String, Process> process : processes.entrySet()) {
			results.add(cli.await(process.getKey(), process.getValue(), 600));
		}

		// then: every one succeeded, said nothing of a closed database, and is in the
		// history
		for (KeeperCli.Result result : results) {
			assertThat(result.exitCode()).as(result.toString()).isZero();
			assertThat(result.err()).as(result.toString()).doesNotContain("already closed").doesNotContain("Exception");
		}
		List<Map<String, Object>> history = history(cli);
		assertThat(history).hasSize(2 * PAIRS);
		assertThat(history).extracting((execution) -> execution.get("status")).containsOnly("COMPLETED");
		assertThat(history).filteredOn((execution) -> "reportMemoryJob".equals(execution.get("job"))).hasSize(PAIRS);
		assertThat(history).filteredOn((execution) -> "enforceTtlJob".equals(execution.get("job"))).hasSize(PAIRS);
	}

	@Test
	void shouldLeaveNoErrorTraceAndNoClosedDatabaseAfterCommandsOneAfterTheOther() throws Exception {
		// given: a folder whose history a first command creates
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data"));

		// when: commands run one after the other, each in its own JVM
		for (int run = 0; run < 3; run++) {
			KeeperCli.Result result = cli.await("report-" + run,
					cli.start("report-" + run, JVM, "report", "--store", this.redis.uri(0)), 300);

			// then: none says it found the database closed
			assertThat(result.exitCode()).as(result.toString()).isZero();
			assertThat(result.err()).as(result.toString()).doesNotContain("already closed");
		}
		// and: the schema was created once, without errors for H2 to trace
		Path trace = cli.dataDir().resolve("history.trace.db");
		assertThat(Files.exists(trace) ? Files.readString(trace) : "").isEmpty();
		assertThat(history(cli)).hasSize(3);
	}

	@Test
	void shouldRefuseWithOneLineWhenAProcessThatDoesNotShareTheHistoryHoldsIt() throws Exception {
		// given: the history file opened by a process without AUTO_SERVER (this one)
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data"))
			.with("spring.datasource.hikari.initialization-fail-timeout", 3000);
		String url = "jdbc:h2:file:" + cli.dataDir().toAbsolutePath().resolve("history");
		try (Connection holder = DriverManager.getConnection(url, "sa", "")) {

			// when: a command needs it
			KeeperCli.Result result = cli.await("report",
					cli.start("report", JVM, "report", "--store", this.redis.uri(0)), 300);

			// then: after waiting, it is refused as a configuration error, in one line
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(KeeperCommandLine.USAGE);
			assertThat(result.err().lines().filter((line) -> line.startsWith("error:"))).as(result.toString())
				.containsExactly("error: " + CommandErrors.HISTORY_LOCKED);
		}
	}

	private static List<Map<String, Object>> history(KeeperCli cli) {
		KeeperCli.Result result = cli.run("history", "--limit", "100", "--format", "json");
		assertThat(result.exitCode()).as(result.toString()).isZero();
		return JsonMapper.builder().build().readValue(result.out(), new TypeReference<>() {
		});
	}

}
