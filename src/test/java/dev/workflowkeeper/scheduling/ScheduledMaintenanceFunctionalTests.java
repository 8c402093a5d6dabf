package dev.workflowkeeper.scheduling;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's timer runs the real maintenance jobs from schedule files on the store the
 * service's own settings name ({@code USE_REDIS}, {@code REDIS_URL}).
 */
class ScheduledMaintenanceFunctionalTests {

	@TempDir
	Path tmp;

	@Test
	void shouldRunTheScheduledMaintenanceJobsOnTheConfiguredRedis() throws Exception {
		// given: a Redis with a state without TTL, and schedules that fire every two
		// seconds
		try (RedisServerProcess redis = RedisServerProcess.start(Version.DEFAULT)) {
			try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
				jedis.set(SampleStates.PREFIX + "t1", SampleStates.state("t1", "processing", 60));
			}
			Path jobs = Files.createDirectories(this.tmp.resolve("jobs"));
			Files.writeString(jobs.resolve("report.yml"),
					"job: reportMemoryJob\nschedule: \"*/2 * * * * *\"\noptions:\n  values: true\n");
			Files.writeString(jobs.resolve("ttl.yml"), "job: enforceTtlJob\nschedule: \"*/2 * * * * *\"\n");
			KeeperCli cli = new KeeperCli(this.tmp.resolve("data")).with("server.port", 0)
				.with("keeper.scheduling.enabled", true)
				.with("keeper.scheduling.jobs-dir", jobs)
				.with("keeper.redis.use-redis", true)
				.with("keeper.redis.url", redis.uri());

			// when
			Process worker = cli.start("serve");
			try {
				awaitCompleted(cli, List.of("reportMemoryJob", "enforceTtlJob"), worker);
			}
			finally {
				worker.destroy();
				worker.waitFor();
			}

			// then: the state got the service's TTL
			try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
				assertThat(jedis.ttl(SampleStates.PREFIX + "t1")).isBetween(86_000L, 86_401L);
			}
		}
	}

	private static void awaitCompleted(KeeperCli cli, List<String> jobs, Process worker) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		Path err = cli.dataDir().resolve("process.err");
		// The worker opens the history first; a command then shares it through the
		// worker.
		while (!(Files.exists(err) && Files.readString(err).contains("workflow-keeper is serving"))) {
			if (!worker.isAlive() || System.nanoTime() > deadline) {
				throw new IllegalStateException("the worker did not start: " + Files.readString(err));
			}
			Thread.sleep(100);
		}
		while (System.nanoTime() < deadline) {
			if (!worker.isAlive()) {
				throw new IllegalStateException(
						"the worker exited: " + Files.readString(cli.dataDir().resolve("process.err")));
			}
			KeeperCli.Result history = cli.run("history", "--limit", "50", "--format", "json");
			if (history.exitCode() == 0) {
				List<Map<String, Object>> rows = JsonMapper.builder()
					.build()
					.readValue(history.out(), new TypeReference<>() {
					});
				if (jobs.stream()
					.allMatch((job) -> rows.stream()
						.anyMatch((row) -> job.equals(row.get("job")) && "COMPLETED".equals(row.get("status"))))) {
					return;
				}
			}
			Thread.sleep(500);
		}
		throw new IllegalStateException("the scheduled jobs did not complete: " + cli.run("history").out());
	}

}
