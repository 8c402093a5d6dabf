package dev.workflowkeeper.batch;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.PostgresDatabase;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.SampleStates;
import dev.workflowkeeper.support.WorkerHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three workers ({@code serve}) share a PostgreSQL history; the one running an HTTP
 * launch is killed (SIGKILL): one survivor marks the run FAILED once the dead worker's
 * heartbeat is older than {@code keeper.workers.takeover-after}, and restarts it from its
 * checkpoint to COMPLETED; the other survivor does not.
 */
class WorkerTakeoverFunctionalTests {

	private static final String ADMIN_PASSWORD = "takeover-secret";

	private static final int STATES = 2_000;

	@TempDir
	Path tmp;

	@Test
	void shouldFailAndRestartTheRunOfAKilledWorkerOnceOnASurvivor() throws Exception {
		try (PostgresDatabase history = PostgresDatabase.create();
				RedisServerProcess redis = RedisServerProcess.start(Version.DEFAULT)) {
			// given: three workers, and a report launched over HTTP on the first, paced
			// to
			// last about 7 s (2,000 states at 300 keys/s, chunks of 200)
			try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
				SampleStates.load(jedis, SampleStates.states(STATES), 3_600);
			}
			Path jobs = Files.createDirectories(this.tmp.resolve("jobs"));
			List<Process> workers = new ArrayList<>();
			try {
				List<Integer> ports = new ArrayList<>();
				for (int i = 0; i < 3; i++) {
					KeeperCli cli = new KeeperCli(this.tmp.resolve("worker-" + i)).with(history.historySettings())
						.with("server.port", 0)
						.with("keeper.ops.admin-password", ADMIN_PASSWORD)
						.with("keeper.maintenance.chunk-size", 200)
						.with("keeper.maintenance.prefetch", 0)
						.with("keeper.workers.heartbeat-interval", "1s")
						.with("keeper.workers.takeover-after", "5s")
						.with("keeper.redis.use-redis", true)
						.with("keeper.redis.url", redis.uri())
						.with("keeper.scheduling.enabled", true)
						.with("keeper.scheduling.jobs-dir", jobs);
					Process worker = cli.start("serve");
					workers.add(worker);
					ports.add(cli.awaitServing(worker));
				}
				HttpResponse<String> launched = new WorkerHttp(ports.get(0), ADMIN_PASSWORD)
					.post("/actuator/workflowjobs/reportMemoryJob", "{\"maxRate\": 300}");
				assertThat(launched.statusCode()).as(launched.body()).isEqualTo(200);
				long killed = executionId(launched.body());
				await(Duration.ofSeconds(30), "a checkpoint of the run", () -> readCount(history, killed) >= 400);

				// when: its worker is killed
				workers.get(0).destroyForcibly().waitFor();
				long readBeforeKill = readCount(history, killed);

				// then: the run is marked FAILED by a survivor, and restarted once, from
				// its
				// checkpoint, to COMPLETED
				await(Duration.ofSeconds(30), "the killed run marked FAILED",
						() -> "FAILED".equals(status(history, killed)));
				await(Duration.ofSeconds(60), "the restart COMPLETED",
						() -> executionsOfInstance(history, killed).stream()
							.anyMatch((row) -> "COMPLETED".equals(row.get("status"))));
				Thread.sleep(3_000);
				List<Map<String, Object>> executions = executionsOfInstance(history, killed);
				assertThat(executions).hasSize(2);
				long restart = ((Number) executions.get(1).get("job_execution_id")).longValue();
				assertThat(executions.get(1).get("status")).isEqualTo("COMPLETED");
				assertThat(readCount(history, restart)).as("states read again by the restart")
					.isLessThan(STATES)
					.isLessThanOrEqualTo(STATES - readBeforeKill + 200);
			}
			finally {
				for (Process worker : workers) {
					worker.destroy();
				}
				for (Process worker : workers) {
					worker.waitFor();
				}
			}
		}
	}

	private static long executionId(String body) {
		Matcher matcher = Pattern.compile("\"executionId\"\\s*:\\s*(\\d+)").matcher(body);
		assertThat(matcher.find()).as(body).isTrue();
		return Long.parseLong(matcher.group(1));
	}

	private static long readCount(PostgresDatabase history, long executionId) throws Exception {
		Object read = history
			.query("SELECT SUM(READ_COUNT) AS R FROM BATCH_STEP_EXECUTION WHERE JOB_EXECUTION_ID = " + executionId)
			.get(0)
			.get("r");
		return (read != null) ? ((Number) read).longValue() : 0;
	}

	private static String status(PostgresDatabase history, long executionId) throws Exception {
		return (String) history.query("SELECT STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = " + executionId)
			.get(0)
			.get("status");
	}

	private static List<Map<String, Object>> executionsOfInstance(PostgresDatabase history, long executionId)
			throws Exception {
		return history.query("SELECT JOB_EXECUTION_ID, STATUS FROM BATCH_JOB_EXECUTION WHERE JOB_INSTANCE_ID = "
				+ "(SELECT JOB_INSTANCE_ID FROM BATCH_JOB_EXECUTION WHERE JOB_EXECUTION_ID = " + executionId + ") "
				+ "ORDER BY JOB_EXECUTION_ID");
	}

	private static void await(Duration timeout, String what, Callable<Boolean> condition) throws Exception {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!condition.call()) {
			if (System.nanoTime() > deadline) {
				throw new AssertionError("no " + what + " within " + timeout.toSeconds() + " s");
			}
			Thread.sleep(200);
		}
	}

}
