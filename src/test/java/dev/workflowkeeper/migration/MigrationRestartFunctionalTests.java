package dev.workflowkeeper.migration;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults for real: the worker process is killed in the middle of a migration, or the
 * target redis-server is, and running the same command again ends with nothing missing
 * and nothing mismatched.
 */
class MigrationRestartFunctionalTests {

	private static final int STATES = 20_000;

	@TempDir
	Path tmp;

	KeeperCli cli;

	RedisServerProcess target;

	Path snapshot;

	@BeforeEach
	void setUp() {
		this.cli = new KeeperCli(this.tmp.resolve("data")).with("keeper.migration.chunk-size", 100);
		this.target = RedisServerProcess.startWithAof(Version.DEFAULT);
		this.snapshot = this.tmp.resolve("states.json");
		KeeperCli.Result generated = this.cli.run("generate", "--to", "snapshot:" + this.snapshot, "--count",
				Integer.toString(STATES), "--map");
		assertThat(generated.exitCode()).as(generated.toString()).isZero();
	}

	@AfterEach
	void tearDown() {
		this.target.close();
	}

	@Test
	void shouldResumeAfterTheWorkerProcessIsKilled() throws Exception {
		// given: a migration in a separate process, killed once part of the states are
		// written (paced, so that it is still running once its history says so: H2
		// writes its last commits half a second late)
		Process worker = this.cli.start("migrate", "--from", "snapshot:" + this.snapshot, "--to", this.target.uri(),
				"--max-rate", "2000");
		awaitKeys(2_000, worker);
		awaitStarted();
		worker.destroyForcibly().waitFor();
		long writtenBeforeKill = dbSize();
		assertThat(writtenBeforeKill).isBetween(2_000L, (long) STATES - 1);
		assertThat(History.latest(this.cli).get("status")).isEqualTo("STARTED");

		// when: the same command again
		KeeperCli.Result rerun = this.cli.run("migrate", "--from", "snapshot:" + this.snapshot, "--to",
				this.target.uri());

		// then: the killed execution was resumed, not started afresh, and nothing is
		// missing
		assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
		Map<String, Object> execution = History.latest(this.cli);
		assertThat(History.figure(execution, "verify.missing")).isZero();
		assertThat(History.figure(execution, "verify.mismatched")).isZero();
		assertThat(History.figure(execution, "verify.ttlDrift")).isZero();
		long expected = History.figure(execution, "verify.expected");
		assertThat(dbSize()).isEqualTo(expected);
		assertThat(History.figure(execution, "migrate.read")).isEqualTo(STATES);
		assertThat(((Map<?, ?>) execution.get("parameters")).get("run")).isEqualTo("1");
		assertNoKeyWithoutTtl();
	}

	@Test
	void shouldResumeAfterTheTargetRedisIsKilledAndComesBackFromItsAof() throws Exception {
		// given: a migration in this JVM, whose target redis-server is killed in the
		// middle
		CompletableFuture<KeeperCli.Result> run = CompletableFuture.supplyAsync(
				() -> this.cli.run("migrate", "--from", "snapshot:" + this.snapshot, "--to", this.target.uri()));
		awaitKeys(2_000, null);
		this.target.kill();
		KeeperCli.Result failed = run.get();
		assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
		this.target.restart();

		// when
		KeeperCli.Result rerun = this.cli.run("migrate", "--from", "snapshot:" + this.snapshot, "--to",
				this.target.uri());

		// then
		assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
		Map<String, Object> execution = History.latest(this.cli);
		assertThat(History.figure(execution, "verify.missing")).isZero();
		assertThat(History.figure(execution, "verify.mismatched")).isZero();
		assertThat(dbSize()).isEqualTo(History.figure(execution, "verify.expected"));
		assertNoKeyWithoutTtl();
	}

	private void awaitStarted() throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
		while (!"STARTED".equals(History.latest(this.cli).get("status")) && System.nanoTime() < deadline) {
			Thread.sleep(100);
		}
	}

	private void awaitKeys(long atLeast, Process worker) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		while (System.nanoTime() < deadline) {
			if (worker != null && !worker.isAlive()) {
				throw new IllegalStateException(
						"the worker ended before it could be killed: exit " + worker.exitValue());
			}
			try {
				if (dbSize() >= atLeast) {
					return;
				}
			}
			catch (RuntimeException ex) {
				// loading
			}
			Thread.sleep(5);
		}
		throw new IllegalStateException("the migration did not get going");
	}

	private long dbSize() {
		try (Jedis jedis = new Jedis("127.0.0.1", this.target.port())) {
			return jedis.dbSize();
		}
	}

	private void assertNoKeyWithoutTtl() {
		try (Jedis jedis = new Jedis("127.0.0.1", this.target.port())) {
			String cursor = "0";
			do {
				var page = jedis.scan(cursor);
				for (String key : page.getResult()) {
					assertThat(jedis.pttl(key)).as(key).isPositive();
				}
				cursor = page.getCursor();
			}
			while (!"0".equals(cursor));
		}
	}

}
