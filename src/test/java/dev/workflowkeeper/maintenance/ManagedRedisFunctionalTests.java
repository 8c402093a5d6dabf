package dev.workflowkeeper.maintenance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.SampleStates;
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
 * Every job against a Redis as a managed service leaves it: {@code MEMORY},
 * {@code CONFIG}, {@code EVAL} and {@code EVALSHA} renamed away. Each job succeeds by its
 * documented fallback (estimated memory, {@code WATCH}/{@code MULTI} compare-and-set) or
 * refuses in one line naming the command.
 */
class ManagedRedisFunctionalTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String P = SampleStates.PREFIX;

	private static RedisServerProcess managed;

	private static RedisServerProcess plain;

	@TempDir
	Path tmp;

	KeeperCli cli;

	@BeforeAll
	static void startServers() {
		managed = RedisServerProcess.start(Version.DEFAULT, "--rename-command", "MEMORY", "", "--rename-command",
				"CONFIG", "", "--rename-command", "EVAL", "", "--rename-command", "EVALSHA", "");
		plain = RedisServerProcess.start(Version.DEFAULT);
	}

	@AfterAll
	static void stopServers() {
		managed.close();
		plain.close();
	}

	@BeforeEach
	void setUp() {
		this.cli = new KeeperCli(this.tmp.resolve("data"));
	}

	@Test
	void shouldReportMemoryAsEstimatedWithinFifteenPercentOfMemoryUsage() throws Exception {
		// given: the same keyspace on a server with MEMORY and one without
		MaintenanceJobsIntegrationTests.loadKnownKeyspace(managed);
		MaintenanceJobsIntegrationTests.loadKnownKeyspace(plain);

		// when
		KeeperCli.Result estimated = this.cli.run("report", "--store", managed.uri(), "--format", "json");
		KeeperCli.Result measured = this.cli.run("report", "--store", plain.uri(), "--format", "json");
		KeeperCli.Result withoutValues = this.cli.run("report", "--store", managed.uri(), "--no-values", "--format",
				"json");
		KeeperCli.Result table = this.cli.run("report", "--store", managed.uri());

		// then
		assertThat(estimated.exitCode()).as(estimated.toString()).isZero();
		assertThat(measured.exitCode()).as(measured.toString()).isZero();
		JsonNode estimate = JSON.readTree(estimated.out());
		JsonNode exact = JSON.readTree(measured.out());
		assertThat(estimate.get("memoryEstimated").asBoolean()).isTrue();
		assertThat(exact.has("memoryEstimated")).isFalse();
		assertThat(estimate.get("keys").asLong()).isEqualTo(31);
		assertThat(estimate.get("staleKeys").asLong()).isEqualTo(5);
		// the hash counts its key alone in the estimate: compare the strings
		long stringsEstimated = estimate.get("memoryBytes").asLong()
				- estimate.get("byStatus").get("(not a string)").get("bytes").asLong();
		long stringsMeasured = exact.get("memoryBytes").asLong()
				- exact.get("byStatus").get("(not a string)").get("bytes").asLong();
		assertThat((double) stringsEstimated).isBetween(stringsMeasured * 0.85, stringsMeasured * 1.15);
		assertThat(withoutValues.exitCode()).as(withoutValues.toString()).isZero();
		JsonNode fromLengths = JSON.readTree(withoutValues.out());
		assertThat(fromLengths.get("memoryEstimated").asBoolean()).isTrue();
		assertThat(fromLengths.get("memoryBytes").asLong()).isEqualTo(estimate.get("memoryBytes").asLong());
		assertThat(table.exitCode()).as(table.toString()).isZero();
		assertThat(table.out()).contains("(estimated: no MEMORY USAGE");
	}

	@Test
	void shouldEnforceTtlWithoutScripts() throws Exception {
		// given
		MaintenanceJobsIntegrationTests.loadKnownKeyspace(managed);

		// when
		KeeperCli.Result run = this.cli.run("enforce-ttl", "--store", managed.uri());
		Map<String, Object> first = History.latest(this.cli);
		KeeperCli.Result again = this.cli.run("enforce-ttl", "--store", managed.uri());
		Map<String, Object> second = History.latest(this.cli);

		// then: the same figures as with scripts
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(History.figure(first, "ttl.fixedMissing")).isEqualTo(4);
		assertThat(History.figure(first, "ttl.capped")).isEqualTo(3);
		assertThat(again.exitCode()).as(again.toString()).isZero();
		assertThat(History.figure(second, "ttl.fixedMissing")).isZero();
		assertThat(History.figure(second, "ttl.capped")).isZero();
		try (Jedis jedis = new Jedis("127.0.0.1", managed.port())) {
			for (int i = 0; i < 4; i++) {
				assertThat(jedis.ttl(P + "nottl" + i)).isBetween(82_800L - 60, 86_400L);
			}
			assertThat(jedis.ttl(P + "long0")).isBetween(82_800L - 60, 86_400L);
			assertThat(jedis.ttl(P + "fresh0")).isBetween(3_000L, 3_600L);
			assertThat(jedis.ttl("session:1")).isEqualTo(-1);
		}
	}

	@Test
	void shouldEnforceTtlAndPurgeWithoutScriptsOnRedis62() throws Exception {
		// given: Redis 6.2, where every TTL change is a script's, without EVAL
		try (RedisServerProcess old = RedisServerProcess.start(Version.V6_2, "--rename-command", "MEMORY", "",
				"--rename-command", "EVAL", "", "--rename-command", "EVALSHA", "")) {
			MaintenanceJobsIntegrationTests.loadKnownKeyspace(old);

			// when
			KeeperCli.Result ttl = this.cli.run("enforce-ttl", "--store", old.uri());
			Map<String, Object> ttlRun = History.latest(this.cli);
			KeeperCli.Result purge = this.cli.run("purge", "--store", old.uri());
			Map<String, Object> purgeRun = History.latest(this.cli);

			// then
			assertThat(ttl.exitCode()).as(ttl.toString()).isZero();
			assertThat(History.figure(ttlRun, "ttl.fixedMissing")).isEqualTo(4);
			assertThat(History.figure(ttlRun, "ttl.capped")).isEqualTo(3);
			assertThat(purge.exitCode()).as(purge.toString()).isZero();
			assertThat(History.figure(purgeRun, "purge.deleted")).isEqualTo(11);
			try (Jedis jedis = new Jedis("127.0.0.1", old.port())) {
				assertThat(jedis.ttl(P + "nottl0")).isBetween(82_800L - 60, 86_400L);
				assertThat(jedis.ttl(P + "long0")).isBetween(82_800L - 60, 86_400L);
				assertThat(jedis.ttl(P + "fresh0")).isBetween(3_000L, 3_600L);
				assertThat(jedis.exists(P + "stale0", P + "done0")).isZero();
			}
		}
	}

	@Test
	void shouldPurgeWithoutScriptsAndDryRunWithoutDeleting() throws Exception {
		// given
		MaintenanceJobsIntegrationTests.loadKnownKeyspace(managed);

		// when
		KeeperCli.Result dryRun = this.cli.run("purge", "--store", managed.uri(), "--dry-run");
		long keysAfterDryRun = dbSize(managed);
		KeeperCli.Result run = this.cli.run("purge", "--store", managed.uri());
		Map<String, Object> first = History.latest(this.cli);

		// then
		assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
		assertThat(keysAfterDryRun).isEqualTo(34);
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(History.figure(first, "purge.deleted")).isEqualTo(11);
		try (Jedis jedis = new Jedis("127.0.0.1", managed.port())) {
			assertThat(jedis.exists(P + "stale0", P + "done0")).isZero();
			assertThat(jedis.exists(P + "fresh0", P + "nottl0", P + "long0", P + "junk0", P + "a-hash", "session:1"))
				.isEqualTo(6);
		}
	}

	@Test
	void shouldNeverDeleteWithoutScriptsAStateTheServiceRefreshesDuringThePurge() throws Exception {
		// given: 2,000 stale states, 400 of which the service keeps refreshing
		try (Jedis jedis = new Jedis("127.0.0.1", managed.port())) {
			jedis.flushAll();
			var pipeline = jedis.pipelined();
			for (int i = 0; i < 2_000; i++) {
				pipeline.setex(P + "s" + i, 3_600, SampleStates.state("s" + i, "processing", 3 * 86_400));
			}
			pipeline.sync();
		}
		List<String> refreshed = new ArrayList<>();
		for (int i = 0; i < 2_000; i += 5) {
			refreshed.add(P + "s" + i);
		}
		AtomicBoolean running = new AtomicBoolean(true);
		CompletableFuture<Void> service = CompletableFuture.runAsync(() -> {
			try (Jedis jedis = new Jedis("127.0.0.1", managed.port())) {
				while (running.get()) {
					for (String key : refreshed) {
						jedis.setex(key, 86_400, SampleStates.state(key.substring(P.length()), "processing", 0));
					}
				}
			}
		});

		// when
		KeeperCli.Result result;
		try {
			result = this.cli.with("keeper.maintenance.chunk-size", 100)
				.run("purge", "--store", managed.uri(), "--force");
		}
		finally {
			running.set(false);
			service.get();
		}

		// then
		assertThat(result.exitCode()).as(result.toString()).isZero();
		try (Jedis jedis = new Jedis("127.0.0.1", managed.port())) {
			for (String key : refreshed) {
				assertThat(jedis.exists(key)).as(key).isTrue();
			}
			assertThat(jedis.dbSize()).isEqualTo(refreshed.size());
		}
	}

	@Test
	void shouldMigrateIntoAndOutOfAndGenerateWithoutScriptsButRefuseNewerInOneLine() throws Exception {
		// given
		try (Jedis jedis = new Jedis("127.0.0.1", managed.port())) {
			jedis.flushAll();
		}
		Path snapshot = this.tmp.resolve("states.json");
		Path out = this.tmp.resolve("out.json");

		// when
		KeeperCli.Result generate = this.cli.run("generate", "--to", "snapshot:" + snapshot, "--count", "50");
		KeeperCli.Result into = this.cli.run("migrate", "--from", "snapshot:" + snapshot, "--to", managed.uri());
		KeeperCli.Result outOf = this.cli.run("migrate", "--from", managed.uri(), "--to", "snapshot:" + out);
		KeeperCli.Result newer = this.cli.run("migrate", "--from", "snapshot:" + snapshot, "--to", managed.uri(),
				"--on-conflict", "newer");
		KeeperCli.Result generated = this.cli.run("generate", "--to", managed.uri(1), "--count", "20");

		// then
		assertThat(generate.exitCode()).as(generate.toString()).isZero();
		assertThat(into.exitCode()).as(into.toString()).isZero();
		assertThat(outOf.exitCode()).as(outOf.toString()).isZero();
		assertThat(Files.size(out)).isPositive();
		assertThat(dbSize(managed)).isEqualTo(50);
		assertThat(newer.exitCode()).as(newer.toString()).isNotZero();
		assertThat(newer.err()).contains("does not run EVAL")
			.contains("--on-conflict skip or overwrite")
			.doesNotContain("\tat ");
		assertThat(generated.exitCode()).as(generated.toString()).isZero();
		try (Jedis jedis = new Jedis("127.0.0.1", managed.port())) {
			jedis.select(1);
			assertThat(jedis.dbSize()).isEqualTo(20);
		}
	}

	@Test
	void shouldFallBackToEvalWhenScriptsAreFlushedDuringAPurgeAndANewerMigration() throws Exception {
		// given: 2,000 stale states, and the script cache flushed every few
		// milliseconds, as a failover to a replica that never loaded the scripts does
		try (Jedis jedis = new Jedis("127.0.0.1", plain.port())) {
			jedis.flushAll();
			var pipeline = jedis.pipelined();
			for (int i = 0; i < 2_000; i++) {
				pipeline.setex(P + "s" + i, 3_600, SampleStates.state("s" + i, "processing", 3 * 86_400));
			}
			pipeline.sync();
			jedis.configResetStat();
		}
		Path snapshot = this.tmp.resolve("states.json");
		assertThat(this.cli.run("generate", "--to", "snapshot:" + snapshot, "--count", "500").exitCode()).isZero();
		AtomicBoolean running = new AtomicBoolean(true);
		CompletableFuture<Long> flusher = CompletableFuture.supplyAsync(() -> {
			long flushes = 0;
			try (Jedis jedis = new Jedis("127.0.0.1", plain.port())) {
				while (running.get()) {
					jedis.scriptFlush();
					flushes++;
					Thread.sleep(5);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			return flushes;
		});

		// when
		KeeperCli.Result purge;
		KeeperCli.Result newer;
		try {
			purge = this.cli.with("keeper.maintenance.chunk-size", 100).run("purge", "--store", plain.uri(), "--force");
			newer = this.cli.run("migrate", "--from", "snapshot:" + snapshot, "--to", plain.uri(1), "--on-conflict",
					"newer");
		}
		finally {
			running.set(false);
		}

		// then
		assertThat(flusher.get()).isPositive();
		assertThat(purge.exitCode()).as(purge.toString()).isZero();
		assertThat(newer.exitCode()).as(newer.toString()).isZero();
		assertThat(dbSize(plain)).isZero();
		try (Jedis jedis = new Jedis("127.0.0.1", plain.port())) {
			// more than the first EVAL of each of the two scripts: NOSCRIPT met mid-run
			assertThat(evalCalls(jedis.info("commandstats"))).isGreaterThan(2);
			jedis.select(1);
			assertThat(jedis.dbSize()).isEqualTo(500);
		}
	}

	private static long evalCalls(String commandStats) {
		java.util.regex.Matcher calls = java.util.regex.Pattern.compile("cmdstat_eval:calls=(\\d+)")
			.matcher(commandStats);
		return calls.find() ? Long.parseLong(calls.group(1)) : 0;
	}

	private static long dbSize(RedisServerProcess server) {
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			return jedis.dbSize();
		}
	}

}
