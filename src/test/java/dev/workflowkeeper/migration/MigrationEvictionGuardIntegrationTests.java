package dev.workflowkeeper.migration;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A migration never pushes a Redis target into eviction: one that would pass
 * {@code keeper.migration.max-target-memory} (by default 90% of {@code maxmemory}) is
 * refused before it writes, on the command line as with {@code run}; one whose target
 * fills up while it writes stops after the chunk, before the target evicts, and resumes
 * with every state once {@code maxmemory} is raised.
 */
class MigrationEvictionGuardIntegrationTests {

	/** About 2.5 KB each: some 70 MB in a Redis. */
	private static final int LARGE = 25_000;

	/** About 2.5 KB each: some 28 MB in a Redis. */
	private static final int SMALL = 10_000;

	private static RedisServerProcess source;

	@TempDir
	Path tmp;

	KeeperCli cli;

	RedisServerProcess target;

	@BeforeAll
	static void fillSource() {
		source = RedisServerProcess.start(Version.DEFAULT);
		try (Jedis jedis = new Jedis("127.0.0.1", source.port())) {
			load(jedis, 1, LARGE);
			load(jedis, 2, SMALL);
		}
	}

	@AfterAll
	static void stopSource() {
		source.close();
	}

	@BeforeEach
	void setUp() {
		this.cli = new KeeperCli(this.tmp.resolve("data")).with("keeper.migration.chunk-size", 500);
	}

	@AfterEach
	void tearDown() {
		if (this.target != null) {
			this.target.close();
		}
	}

	@Test
	void shouldRefuseAMigrationThatWouldPassNinetyPerCentOfMaxmemoryOnTheCommandLineAndWithRun() {
		// given: 25,000 states of 2.5 KB, and a target of 64 MB that evicts any key
		this.target = RedisServerProcess.start(Version.DEFAULT, "--maxmemory", "64mb", "--maxmemory-policy",
				"allkeys-lru");

		// when
		KeeperCli.Result migrate = this.cli.run("migrate", "--from", source.uri(1), "--to", this.target.uri());
		KeeperCli.Result run = this.cli.run("run", "migrateStatesJob", "--from", source.uri(1), "--to",
				this.target.uri());

		// then: refused before anything is written, in one line with the figures
		for (KeeperCli.Result result : List.of(migrate, run)) {
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
			assertThat(result.err().lines().toList()).as(result.toString())
				.singleElement()
				.asString()
				.startsWith("error: target redis://127.0.0.1:" + this.target.port()
						+ "/0 would pass 90% of its maxmemory: it uses ")
				.contains(" of 64.0 MiB and the migration adds about ")
				.contains("(25,000 states); raise maxmemory or keeper.migration.max-target-memory");
		}
		assertThat(dbSize()).isZero();
		assertThat(executions()).isEmpty();
	}

	@Test
	void shouldStopBeforeEvictionWhenTheTargetFillsUpMidRunAndResumeWithEveryStateOnceRaised() throws Exception {
		// given: a target without maxmemory, which evicts any key once it gets one
		this.target = RedisServerProcess.start(Version.DEFAULT, "--maxmemory-policy", "allkeys-lru");
		String[] command = { "migrate", "--from", source.uri(1), "--to", this.target.uri() };

		// when: its maxmemory drops to 64 MB once the copy has begun
		KeeperCli.Result stopped = runWhileMaxmemoryDrops(command, "64mb");

		// then: stopped after a chunk, short of the states, and nothing evicted
		assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);
		assertThat(stopped.err()).as(stopped.toString())
			.startsWith("error: stopped before eviction: target redis://127.0.0.1:" + this.target.port() + "/0 uses ")
			.contains("past 90% of its maxmemory")
			.contains("run the same command again");
		assertThat(History.latest(this.cli).get("status")).isEqualTo("FAILED");
		long copied = dbSize();
		assertThat(copied).isBetween(1L, LARGE - 1L);
		assertThat(evictedKeys()).isZero();

		// when: maxmemory raised, the same command
		try (Jedis jedis = targetJedis()) {
			jedis.configSet("maxmemory", "256mb");
		}
		KeeperCli.Result resumed = this.cli.run(command);

		// then: the same run resumed and completed, every state there, nothing evicted
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		Map<String, Object> execution = History.latest(this.cli);
		assertThat(execution.get("status")).isEqualTo("COMPLETED");
		assertThat(((Map<?, ?>) execution.get("parameters")).get("run")).isEqualTo("1");
		assertThat(History.figure(execution, "verify.missing")).isZero();
		assertThat(History.figure(execution, "verify.mismatched")).isZero();
		assertThat(History.figure(execution, "verify.matched")).isEqualTo(LARGE);
		assertThat(dbSize()).isEqualTo(LARGE);
		assertThat(evictedKeys()).isZero();
	}

	@Test
	void shouldStopAGenerationBeforeEvictionAsWellAndResumeIt() throws Exception {
		// given: a target without maxmemory, which evicts any key once it gets one
		this.target = RedisServerProcess.start(Version.DEFAULT, "--maxmemory-policy", "allkeys-lru");
		String[] command = { "generate", "--to", this.target.uri(), "--count", "30000" };

		// when: its maxmemory drops to 48 MB once the generation has begun
		KeeperCli.Result stopped = runWhileMaxmemoryDrops(command, "48mb");

		// then: stopped after a chunk, nothing evicted
		assertThat(stopped.exitCode()).as(stopped.toString()).isEqualTo(1);
		assertThat(stopped.err()).as(stopped.toString()).contains("error: stopped before eviction: target ");
		assertThat(dbSize()).isBetween(1L, 29_999L);
		assertThat(evictedKeys()).isZero();

		// when: maxmemory raised, the same command
		try (Jedis jedis = targetJedis()) {
			jedis.configSet("maxmemory", "256mb");
		}
		KeeperCli.Result resumed = this.cli.run(command);

		// then
		assertThat(resumed.exitCode()).as(resumed.toString()).isZero();
		assertThat(dbSize()).isEqualTo(30_000);
		assertThat(evictedKeys()).isZero();
	}

	@Test
	void shouldHonourAnExplicitMaxTargetMemoryAndLetTheDefaultPassWhatFits() {
		// given: 10,000 states of 2.5 KB (some 28 MB), and a target of 64 MB
		this.target = RedisServerProcess.start(Version.DEFAULT, "--maxmemory", "64mb", "--maxmemory-policy",
				"allkeys-lru");
		String[] command = { "migrate", "--from", source.uri(2), "--to", this.target.uri() };

		// when: a share, then a size below what the copy needs
		KeeperCli.Result share = new KeeperCli(this.tmp.resolve("share"))
			.with("keeper.migration.max-target-memory", "30%")
			.run(command);
		KeeperCli.Result size = new KeeperCli(this.tmp.resolve("size"))
			.with("keeper.migration.max-target-memory", "20MB")
			.run(command);

		// then: both refused, each in its own words
		assertThat(share.exitCode()).as(share.toString()).isEqualTo(2);
		assertThat(share.err()).contains("would pass 30% of its maxmemory").contains("(10,000 states)");
		assertThat(size.exitCode()).as(size.toString()).isEqualTo(2);
		assertThat(size.err()).contains("would pass its limit of 20.0 MiB (keeper.migration.max-target-memory)")
			.contains("(10,000 states)");
		assertThat(dbSize()).isZero();

		// when: the default, 90% of maxmemory
		KeeperCli.Result fits = this.cli.run(command);

		// then: copied and verified, nothing evicted
		assertThat(fits.exitCode()).as(fits.toString()).isZero();
		assertThat(dbSize()).isEqualTo(SMALL);
		assertThat(evictedKeys()).isZero();
	}

	@Test
	void shouldSkipTheGuardInADryRunAndTellWhatTheTargetWouldTake() {
		// given
		this.target = RedisServerProcess.start(Version.DEFAULT, "--maxmemory", "64mb", "--maxmemory-policy",
				"allkeys-lru");

		// when: a dry run of more than the target may take
		KeeperCli.Result dryRun = this.cli.run("migrate", "--from", source.uri(1), "--to", this.target.uri(),
				"--dry-run");

		// then: it writes nothing, so it is not refused, and says what the copy would
		// take
		assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
		assertThat(dryRun.out()).contains("the target would take about ").contains("for 25,000 states");
		assertThat(dbSize()).isZero();
	}

	/**
	 * Runs {@code command}, and sets the target's maxmemory once it holds a first key.
	 */
	private KeeperCli.Result runWhileMaxmemoryDrops(String[] command, String maxmemory) throws Exception {
		CompletableFuture<KeeperCli.Result> running = CompletableFuture.supplyAsync(() -> this.cli.run(command));
		try (Jedis jedis = targetJedis()) {
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
			while (jedis.dbSize() == 0 && !running.isDone() && System.nanoTime() < deadline) {
				Thread.sleep(1);
			}
			jedis.configSet("maxmemory", maxmemory);
		}
		return running.get(120, TimeUnit.SECONDS);
	}

	private static void load(Jedis jedis, int db, int count) {
		jedis.select(db);
		String padding = "x".repeat(2_300);
		Pipeline pipeline = jedis.pipelined();
		for (int i = 0; i < count; i++) {
			String state = SampleStates.state("t" + i, "processing", 60);
			state = state.substring(0, state.length() - 1) + ", \"log\": \"" + padding + "\"}";
			pipeline.set(SampleStates.PREFIX + "t" + i, state, SetParams.setParams().ex(86_400));
		}
		pipeline.sync();
	}

	private Jedis targetJedis() {
		return new Jedis("127.0.0.1", this.target.port());
	}

	private long dbSize() {
		try (Jedis jedis = targetJedis()) {
			return jedis.dbSize();
		}
	}

	private long evictedKeys() {
		try (Jedis jedis = targetJedis()) {
			return jedis.info("stats")
				.lines()
				.filter((line) -> line.startsWith("evicted_keys:"))
				.mapToLong((line) -> Long.parseLong(line.substring("evicted_keys:".length()).strip()))
				.findFirst()
				.orElseThrow();
		}
	}

	private List<Map<String, Object>> executions() {
		KeeperCli.Result history = this.cli.run("history", "--format", "json");
		assertThat(history.exitCode()).as(history.toString()).isZero();
		return JsonMapper.builder().build().readValue(history.out(), new TypeReference<>() {
		});
	}

}
