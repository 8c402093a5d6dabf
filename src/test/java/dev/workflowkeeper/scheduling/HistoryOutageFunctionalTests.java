package dev.workflowkeeper.scheduling;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.PostgresDatabase;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker ({@code serve}) whose PostgreSQL history goes away while a scheduled run is in
 * flight: its readiness is DOWN within seconds, and once the history is back its slots
 * run again, the run the outage cut off is ended with what happened, and nothing is left
 * STARTED or skipped.
 * <p>
 * The issue measured a 150 s outage against the pool's 30 s connection timeout; here the
 * timeout is 2 s and the outage 8 s: what matters is that the outage outlasts the
 * timeout, so that the job thread gives up and cannot record its end, not how long it
 * lasts.
 */
class HistoryOutageFunctionalTests {

	private static final String RUNNING = "('STARTING', 'STARTED', 'STOPPING')";

	@TempDir
	Path tmp;

	@Test
	void shouldReportDownAndRunTheSlotsAgainWithNothingLeftStartedWhenTheHistoryComesBack() throws Exception {
		try (PostgresDatabase history = PostgresDatabase.create();
				RedisServerProcess redis = RedisServerProcess.start(Version.DEFAULT)) {
			// given: a worker whose report runs every 4 s for about 1.5 s (1,500 states
			// at 1,000 keys/s, chunks of 200)
			try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
				SampleStates.load(jedis, SampleStates.states(1_500), 3_600);
			}
			Path jobs = Files.createDirectories(this.tmp.resolve("jobs"));
			Files.writeString(jobs.resolve("report.yml"),
					"job: reportMemoryJob\nschedule: \"*/4 * * * * *\"\noptions:\n  maxRate: 1000\n");
			KeeperCli cli = new KeeperCli(this.tmp.resolve("data")).with(history.historySettings())
				.with("spring.datasource.hikari.connection-timeout", 2000)
				.with("server.port", 0)
				.with("keeper.maintenance.chunk-size", 200)
				.with("keeper.maintenance.prefetch", 0)
				.with("keeper.workers.heartbeat-interval", "1s")
				.with("keeper.redis.use-redis", true)
				.with("keeper.redis.url", redis.uri())
				.with("keeper.scheduling.enabled", true)
				.with("keeper.scheduling.jobs-dir", jobs);
			Process worker = cli.start("serve");
			try {
				int port = cli.awaitServing(worker);
				await(Duration.ofSeconds(60), "a completed slot", () -> count(history, "STATUS = 'COMPLETED'") > 0);
				await(Duration.ofSeconds(30), "a slot in flight", () -> count(history, "STATUS = 'STARTED'") > 0);

				// when: the history goes away for 8 s while that slot runs
				history.goDown();
				long down = System.nanoTime();
				await(Duration.ofSeconds(8), "readiness DOWN", () -> readiness(port) == 503);
				Duration downAfter = Duration.ofNanos(System.nanoTime() - down);
				Thread.sleep(Math.max(0, Duration.ofSeconds(8).toMillis() - downAfter.toMillis()));
				history.comeBack();
				long lastBefore = maxExecutionId(history);

				// then: readiness was DOWN within seconds; a slot after the return
				// completes,
				// readiness is UP again, and nothing from before it is left running
				assertThat(downAfter).isLessThan(Duration.ofSeconds(8));
				await(Duration.ofSeconds(20), "a slot completed after the return",
						() -> count(history, "STATUS = 'COMPLETED' AND JOB_EXECUTION_ID > " + lastBefore) > 0);
				await(Duration.ofSeconds(10), "readiness UP", () -> readiness(port) == 200);
				await(Duration.ofSeconds(10), "nothing from before the return left running",
						() -> count(history, "STATUS IN " + RUNNING + " AND JOB_EXECUTION_ID <= " + lastBefore) == 0);
				// and: no slot after the return was skipped for a run from before it (a
				// slot may still overlap a run that came late after the outage)
				List<Map<String, Object>> skipped = history
					.query("SELECT EXIT_MESSAGE FROM BATCH_JOB_EXECUTION WHERE EXIT_CODE = 'SKIPPED_OVERLAP' "
							+ "AND JOB_EXECUTION_ID > " + lastBefore);
				assertThat(skipped).allSatisfy((row) -> assertThat(overlapped(row)).isGreaterThan(lastBefore));
				// and: the run the outage cut off ended with what happened to it
				List<Map<String, Object>> cutOff = history.query("SELECT STATUS, EXIT_MESSAGE FROM BATCH_JOB_EXECUTION "
						+ "WHERE STATUS NOT IN ('COMPLETED', 'ABANDONED') AND JOB_EXECUTION_ID <= " + lastBefore);
				assertThat(cutOff).isNotEmpty()
					.allSatisfy((row) -> assertThat(row.get("status")).isIn("FAILED", "STOPPED"));
			}
			finally {
				worker.destroy();
				worker.waitFor();
			}
		}
	}

	private static long count(PostgresDatabase history, String where) throws Exception {
		return ((Number) history.query("SELECT COUNT(*) AS N FROM BATCH_JOB_EXECUTION WHERE " + where).get(0).get("n"))
			.longValue();
	}

	/** The execution a skipped slot's exit message names as still running. */
	private static long overlapped(Map<String, Object> skipped) {
		java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("execution (\\d+)")
			.matcher(String.valueOf(skipped.get("exit_message")));
		assertThat(matcher.find()).as("exit message %s", skipped).isTrue();
		return Long.parseLong(matcher.group(1));
	}

	private static long maxExecutionId(PostgresDatabase history) throws Exception {
		Object max = history.query("SELECT MAX(JOB_EXECUTION_ID) AS M FROM BATCH_JOB_EXECUTION").get(0).get("m");
		return (max != null) ? ((Number) max).longValue() : 0;
	}

	/** The status code of the readiness probe; 0 when it did not answer in 3 s. */
	private static int readiness(int port) {
		try {
			return HttpClient.newHttpClient()
				.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"))
					.timeout(Duration.ofSeconds(3))
					.GET()
					.build(), HttpResponse.BodyHandlers.discarding())
				.statusCode();
		}
		catch (Exception ex) {
			return 0;
		}
	}

	private static void await(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (true) {
			boolean met;
			try {
				met = condition.call();
			}
			catch (java.sql.SQLException ex) {
				met = false;
			}
			if (met) {
				return;
			}
			if (System.nanoTime() > deadline) {
				throw new AssertionError("no " + what + " within " + timeout.toSeconds() + " s");
			}
			Thread.sleep(200);
		}
	}

}
