package dev.workflowkeeper.batch;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.WorkerHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SIGTERM to a worker process that runs a job: the job finishes its chunk and ends
 * STOPPED (not left STARTED, not FAILED), and the same command again, or
 * {@code history restart}, resumes it and completes with exact counts.
 */
class GracefulShutdownFunctionalTests {

	static final int COUNT = 300_000;

	static final String ADMIN_PASSWORD = "op-secret-4711";

	static RedisServerProcess redis;

	@TempDir
	Path tmp;

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.start(Version.DEFAULT);
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void emptyRedis() {
		try (Jedis jedis = jedis()) {
			jedis.flushAll();
		}
	}

	@Test
	void shouldStopAOneOffCommandOnSigtermAndResumeItWhenRunAgain() throws Exception {
		// given: a long generation running in its own process
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data")).with("keeper.migration.chunk-size", 100);
		String[] command = { "generate", "--to", redis.uri(), "--count", Integer.toString(COUNT) };
		Process generate = cli.start(command);
		awaitWriting(cli, generate);

		// when: SIGTERM
		generate.destroy();
		cli.await(generate, 120);

		// then: its execution ended STOPPED part-way
		Map<String, Object> stopped = History.latest(cli);
		assertThat(stopped.get("job")).isEqualTo("generateStatesJob");
		assertThat(stopped.get("status")).as(stopped.toString()).isEqualTo("STOPPED");
		long firstWritten = ((Number) stopped.get("written")).longValue();
		assertThat(firstWritten).isPositive().isLessThan(COUNT);

		// when: the same command again
		KeeperCli.Result rerun = cli.run(command);

		// then: it resumed the stopped run and wrote exactly the rest
		assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
		Map<String, Object> resumed = History.latest(cli);
		assertThat(resumed.get("status")).isEqualTo("COMPLETED");
		assertThat(resumed.get("parameters")).isEqualTo(stopped.get("parameters"));
		assertThat(firstWritten + ((Number) resumed.get("written")).longValue()).isEqualTo(COUNT);
		try (Jedis jedis = jedis()) {
			assertThat(jedis.dbSize()).isEqualTo(COUNT);
		}
	}

	@Test
	void shouldStopARunLaunchedOverHttpWhenTheWorkerIsStoppedAndRestartItFromTheCommandLine() throws Exception {
		// given: a serving worker running a long generation launched by hand
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data")).with("keeper.migration.chunk-size", 100)
			.with("server.port", 0)
			.with("keeper.scheduling.enabled", false)
			.with("keeper.ops.admin-password", ADMIN_PASSWORD);
		Process worker = cli.start("serve");
		long id;
		try {
			int port = cli.awaitServing(worker);
			HttpResponse<String> launched = new WorkerHttp(port, ADMIN_PASSWORD).post(
					"/actuator/workflowjobs/generateStatesJob",
					"{\"to\": \"" + redis.uri() + "\", \"count\": " + COUNT + "}");
			assertThat(launched.statusCode()).as(launched.body()).isEqualTo(200);
			id = JsonMapper.builder().build().readTree(launched.body()).get("executionId").asLong();
			awaitWriting(port, id);

			// when: SIGTERM
			worker.destroy();
			cli.await(worker, 120);
		}
		finally {
			worker.destroyForcibly();
		}

		// then: the run ended STOPPED part-way
		Map<String, Object> stopped = History.latest(cli);
		assertThat(((Number) stopped.get("id")).longValue()).isEqualTo(id);
		assertThat(stopped.get("status")).as(stopped.toString()).isEqualTo("STOPPED");
		long firstWritten = ((Number) stopped.get("written")).longValue();
		assertThat(firstWritten).isPositive().isLessThan(COUNT);

		// when: restarted from the command line
		KeeperCli.Result restart = cli.run("history", "restart", Long.toString(id));

		// then: it resumed and wrote exactly the rest
		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(restart.out()).contains("COMPLETED");
		Map<String, Object> resumed = History.latest(cli);
		assertThat(resumed.get("status")).isEqualTo("COMPLETED");
		assertThat(firstWritten + ((Number) resumed.get("written")).longValue()).isEqualTo(COUNT);
		try (Jedis jedis = jedis()) {
			assertThat(jedis.dbSize()).isEqualTo(COUNT);
		}
	}

	private static Jedis jedis() {
		return new Jedis("127.0.0.1", redis.port(), 30_000);
	}

	/**
	 * Waits until the command writes states. Watched in Redis, not in the history: this
	 * JVM opening the shared H2 file meanwhile would take over serving it from the
	 * command's process.
	 */
	private static void awaitWriting(KeeperCli cli, Process process) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		try (Jedis jedis = jedis()) {
			while (System.nanoTime() < deadline) {
				if (!process.isAlive()) {
					throw new IllegalStateException("the command ended before it was stopped: "
							+ Files.readString(cli.dataDir().resolve("process.err")));
				}
				if (jedis.dbSize() >= 1000) {
					return;
				}
				Thread.sleep(100);
			}
		}
		throw new IllegalStateException("the generation did not start writing");
	}

	private static void awaitWriting(int port, long id) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		while (System.nanoTime() < deadline) {
			HttpResponse<String> response = new WorkerHttp(port, ADMIN_PASSWORD)
				.get("/actuator/workflowjobs/executions/" + id);
			JsonNode execution = JsonMapper.builder().build().readTree(response.body());
			if ("STARTED".equals(execution.get("status").asString()) && execution.get("written").asLong() > 0) {
				return;
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("the generation did not start writing");
	}

}
