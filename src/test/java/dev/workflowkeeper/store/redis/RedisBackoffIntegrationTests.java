package dev.workflowkeeper.store.redis;

import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.workflowkeeper.store.MaintainableStore.KeyValue;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.SampleStates;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ClientKillParams;
import redis.clients.jedis.params.SetParams;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A live Redis's own signals, for real: connections dropped by {@code CLIENT KILL} while
 * states are read and written, a Lua script that keeps the server {@code BUSY} in the
 * middle of a scan, a source that answers {@code LOADING} while it loads its dump, a
 * target that answers {@code OOM} at its {@code maxmemory}, and a server gone for longer
 * than the retry bound. Reads and writes go on from where they were, and a run that gives
 * up can be resumed to exact counts.
 */
class RedisBackoffIntegrationTests {

	private static final int STATES = 50_000;

	private static final int DOWN_STATES = 20_000;

	private static final int LOADING_STATES = 10_000;

	private static final int OOM_STATES = 20_000;

	private static final int KILLED_STATES = 200_000;

	/**
	 * A server that loads its dump at 1 ms a key or slower (10 s or more for 10,000
	 * states), long enough for a worker to start on a machine busy with the rest of the
	 * suite, and answers clients at least every kilobyte loaded.
	 */
	private static final String[] SLOW_LOAD = { "--key-load-delay", "1000", "--loading-process-events-interval-bytes",
			"1024" };

	@TempDir
	Path tmp;

	@Test
	void shouldMigrateEveryStateWhileTheServerDropsEveryConnectionFiveTimesASecond() throws Exception {
		// given: 50,000 states, a target database on the same server, and a client that
		// kills every other client's connection every 200 ms
		try (RedisServerProcess redis = RedisServerProcess.start(Version.DEFAULT)) {
			seed(redis, STATES);
			KeeperCli cli = new KeeperCli(this.tmp.resolve("data"))
				.with(WorkerSettings.defaults().withRedisPaging(500, 100, 2))
				.with("keeper.migration.chunk-size", 500);

			// when
			KeeperCli.Result result;
			int kills;
			try (Killer killer = new Killer(redis, 200)) {
				result = cli.run("migrate", "--from", redis.uri(0), "--to", redis.uri(1));
				kills = killer.kills.get();
			}

			// then: every state is there once, as verified by the run itself
			assertThat(result.exitCode()).as(result.toString()).isZero();
			Map<String, Object> execution = History.latest(cli);
			assertThat(History.figure(execution, "migrate.read")).isEqualTo(STATES);
			assertThat(History.figure(execution, "migrate.written")).isEqualTo(STATES);
			assertThat(History.figure(execution, "migrate.keptExisting")).isZero();
			assertThat(History.figure(execution, "verify.missing")).isZero();
			assertThat(History.figure(execution, "verify.mismatched")).isZero();
			try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
				jedis.select(1);
				assertThat(jedis.dbSize()).isEqualTo(STATES);
			}
			assertThat(kills).as("connections were killed during the run").isGreaterThan(2);
		}
	}

	@Test
	void shouldCountEveryJudgedStateItDeletesWhileTheServerDropsEveryConnection() throws Exception {
		// given: states judged stale by their values, in small delete pipelines
		try (RedisServerProcess redis = RedisServerProcess.start(Version.DEFAULT)) {
			seed(redis, 20_000);
			List<KeyValue> judged = new ArrayList<>();
			try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
				for (int i = 0; i < 20_000; i++) {
					String key = SampleStates.PREFIX + "t" + i;
					judged.add(new KeyValue(key, jedis.get(key.getBytes(StandardCharsets.UTF_8))));
				}
			}
			WorkerSettings settings = WorkerSettings.defaults().withRedisPaging(500, 10, 0);
			List<Boolean> deleted;
			int kills;

			// when
			try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(redis.uri(0)), SampleStates.PREFIX,
					settings.keeperProperties().redis()); Killer killer = new Killer(redis, 20)) {
				deleted = store.maintenance().orElseThrow().deleteIfUnchanged(judged);
				kills = killer.kills.get();
			}

			// then: every state is gone and counted as deleted, also those a failed
			// attempt deleted before its pipeline was run again
			assertThat(kills).as("connections were killed during the deletes").isPositive();
			assertThat(deleted).hasSize(20_000).containsOnly(true);
			try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
				assertThat(jedis.dbSize()).isZero();
			}
		}
	}

	@Test
	void shouldStopAScanThatMeetsARestartedServerAndScanAgainFromTheStartWhenResumed() throws Exception {
		// given: a reader half way through a scan of a server that keeps its states
		try (RedisServerProcess redis = RedisServerProcess.startWithAof(Version.DEFAULT, "--appendfsync", "no")) {
			seed(redis, 10_000);
			WorkerSettings settings = WorkerSettings.defaults().withRedisPaging(200, 50, 0);
			try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(redis.uri(0)), SampleStates.PREFIX,
					settings.keeperProperties().redis())) {
				ItemStreamReader<WorkflowEntry> reader = store.readers("restartReader").get(0);
				ExecutionContext context = new ExecutionContext();
				reader.open(context);
				for (int i = 0; i < 1_000; i++) {
					assertThat(reader.read()).isNotNull();
				}
				reader.update(context);

				// when: the server restarts within the retry bound; its hash table, and
				// so what a SCAN cursor means, is another
				redis.restart();
				awaitLoaded(redis, 10_000);

				// then: the scan stops rather than miss keys
				assertThatExceptionOfType(StoreAccessException.class).isThrownBy(() -> {
					while (reader.read() != null) {
						// reading on
					}
				}).withMessageContaining("restarted or failed over during the scan");
				reader.close();

				// when: resumed from the last checkpoint
				ItemStreamReader<WorkflowEntry> resumed = store.readers("restartReader").get(0);
				resumed.open(context);
				Set<String> read = new HashSet<>();
				for (WorkflowEntry entry = resumed.read(); entry != null; entry = resumed.read()) {
					read.add(entry.threadId());
				}
				resumed.close();

				// then: every key, scanned again from the start
				assertThat(read).hasSize(10_000);
			}
		}
	}

	@Test
	void shouldWaitOutABusyScriptInTheMiddleOfAScan() throws Exception {
		// given: a reader half way through a scan, and a server that answers BUSY after
		// 100 ms of a script
		try (RedisServerProcess redis = RedisServerProcess.start(Version.DEFAULT)) {
			seed(redis, 10_000);
			try (Jedis admin = new Jedis("127.0.0.1", redis.port())) {
				admin.configSet("busy-reply-threshold", "100");
			}
			WorkerSettings settings = WorkerSettings.defaults().withRedisPaging(200, 50, 2);
			RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(redis.uri(0)), SampleStates.PREFIX,
					settings.keeperProperties().redis());
			ItemStreamReader<WorkflowEntry> reader = store.readers("busyReader").get(0);
			ExecutionContext context = new ExecutionContext();
			reader.open(context);
			int read = 0;
			while (read < 1_000) {
				assertThat(reader.read()).isNotNull();
				read++;
			}

			// when: a script keeps the server busy for a second and a half, then is
			// killed
			CompletableFuture<Void> script = CompletableFuture.runAsync(() -> {
				try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
					jedis.eval("local i = 0 while true do i = i + 1 end");
				}
				catch (RuntimeException ex) {
					// killed: as meant
				}
			});
			Thread.sleep(300);
			CompletableFuture<Void> kill = CompletableFuture.runAsync(() -> {
				sleep(1_500);
				try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
					jedis.scriptKill();
				}
			});
			while (reader.read() != null) {
				read++;
			}
			reader.update(context);
			kill.get();
			script.get();
			reader.close();
			store.close();

			// then
			assertThat(read).isEqualTo(10_000);
			assertThat(context.getLong("busyReader.retries")).isPositive();
		}
	}

	@ParameterizedTest(name = "the {0} down")
	@ValueSource(strings = { "target", "source" })
	void shouldFailInOneLineWhenRedisStaysDownAndResumeToExactCountsOnceItIsBack(String down) throws Exception {
		// given: a migration between two servers that keep their states (AOF), one of
		// which goes down for longer than the retry bound
		// (written to the AOF at once, not fsynced: a killed process loses nothing)
		try (RedisServerProcess source = RedisServerProcess.startWithAof(Version.DEFAULT, "--appendfsync", "no");
				RedisServerProcess target = RedisServerProcess.startWithAof(Version.DEFAULT, "--appendfsync", "no")) {
			RedisServerProcess dying = down.equals("source") ? source : target;
			seed(source, DOWN_STATES);
			KeeperCli cli = new KeeperCli(this.tmp.resolve(down))
				.with(WorkerSettings.defaults().withRedisPaging(100, 50, 0))
				.with("keeper.migration.chunk-size", 100)
				.with("keeper.migration.prefetch", 0)
				.with("keeper.redis.retry.max-time", "1s");
			CompletableFuture<KeeperCli.Result> run = CompletableFuture
				.supplyAsync(() -> cli.run("migrate", "--from", source.uri(), "--to", target.uri()));
			awaitKeys(target, 2_000);
			dying.kill();

			// when
			KeeperCli.Result failed = run.get();

			// then: one line, exit 1, resumable
			assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
			assertThat(failed.err().lines().filter((line) -> line.startsWith("error:")).toList()).as(failed.toString())
				.singleElement()
				.asString()
				.contains("Redis at " + dying.uri())
				.contains("still failing after")
				.endsWith("run the same command again to resume from its last checkpoint");
			assertThat(failed.err()).doesNotContain("\tat ");

			// when: the server is back
			dying.restart();
			awaitLoaded(source, DOWN_STATES);
			KeeperCli.Result rerun = cli.run("migrate", "--from", source.uri(), "--to", target.uri());

			// then: nothing missing, nothing twice; a restarted source is scanned again
			// from
			// the start (its SCAN positions do not survive a restart), so its states are
			// read again
			assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
			Map<String, Object> execution = History.latest(cli);
			assertThat(((Map<?, ?>) execution.get("parameters")).get("run")).isEqualTo("1");
			assertThat(History.figure(execution, "verify.expected")).isEqualTo(DOWN_STATES);
			assertThat(History.figure(execution, "verify.missing")).isZero();
			assertThat(History.figure(execution, "verify.mismatched")).isZero();
			if (down.equals("target")) {
				assertThat(History.figure(execution, "migrate.read")).isEqualTo(DOWN_STATES);
			}
			else {
				assertThat(History.figure(execution, "migrate.read")).isGreaterThan(DOWN_STATES);
			}
			try (Jedis jedis = new Jedis("127.0.0.1", target.port())) {
				assertThat(jedis.dbSize()).isEqualTo(DOWN_STATES);
			}
		}
	}

	@Test
	void shouldWaitForASourceStillLoadingItsDataAndMigrateEveryState() throws Exception {
		// given: a source restarted on a dump it loads slowly, answering LOADING
		// meanwhile, for a few seconds, and the production retry bound (the tests' own
		// is 2 s)
		try (RedisServerProcess source = RedisServerProcess.start(Version.DEFAULT, SLOW_LOAD);
				RedisServerProcess target = RedisServerProcess.start(Version.DEFAULT)) {
			seed(source, LOADING_STATES);
			KeeperCli cli = new KeeperCli(this.tmp.resolve("loading"))
				.with(WorkerSettings.defaults().withRedisPaging(500, 100, 2))
				.with("keeper.redis.retry.max-time", "30s");
			warmUp(cli);
			restartLoading(source);
			CompletableFuture<LocalDateTime> loaded = loadedAt(source);

			// when
			LocalDateTime launched = LocalDateTime.now();
			KeeperCli.Result result = cli.run("migrate", "--from", source.uri(), "--to", target.uri());

			// then: the command started while the source was loading (its checks before
			// the run, or the run itself, met it), waited, and copied every state once
			assertThat(result.exitCode()).as(result.toString()).isZero();
			assertThat(launched).as("the command met the loading source").isBefore(loaded.get());
			Map<String, Object> execution = History.latest(cli);
			assertThat(History.figure(execution, "migrate.read")).isEqualTo(LOADING_STATES);
			assertThat(History.figure(execution, "migrate.written")).isEqualTo(LOADING_STATES);
			assertThat(History.figure(execution, "verify.missing")).isZero();
			assertThat(History.figure(execution, "verify.mismatched")).isZero();
			try (Jedis jedis = new Jedis("127.0.0.1", target.port())) {
				assertThat(jedis.dbSize()).isEqualTo(LOADING_STATES);
			}
		}
	}

	@Test
	void shouldFailInOneLineNamingLoadingPastTheBoundAndResumeOnceTheSourceHasLoaded() throws Exception {
		// given: a source loading for longer than a retry bound of one second
		try (RedisServerProcess source = RedisServerProcess.start(Version.DEFAULT, SLOW_LOAD);
				RedisServerProcess target = RedisServerProcess.start(Version.DEFAULT)) {
			seed(source, LOADING_STATES);
			KeeperCli cli = new KeeperCli(this.tmp.resolve("loading"))
				.with(WorkerSettings.defaults().withRedisPaging(500, 100, 2))
				.with("keeper.redis.retry.max-time", "1s");
			warmUp(cli);
			restartLoading(source);
			CompletableFuture<LocalDateTime> loaded = loadedAt(source);

			// when
			KeeperCli.Result failed = cli.run("migrate", "--from", source.uri(), "--to", target.uri());

			// then: one line that names LOADING, exit 1, nothing written
			assertThat(loaded).as("the run gave up while the source was loading").isNotDone();
			assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
			assertThat(failed.err().lines().filter((line) -> line.startsWith("error:")).toList()).as(failed.toString())
				.singleElement()
				.asString()
				.contains("Redis at " + source.uri())
				.contains("LOADING")
				.contains("still failing after");
			assertThat(failed.err()).doesNotContain("\tat ");
			try (Jedis jedis = new Jedis("127.0.0.1", target.port())) {
				assertThat(jedis.dbSize()).isZero();
			}

			// when: the same command once the source has loaded
			loaded.get();
			KeeperCli.Result rerun = cli.run("migrate", "--from", source.uri(), "--to", target.uri());

			// then
			assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
			Map<String, Object> execution = History.latest(cli);
			assertThat(History.figure(execution, "migrate.read")).isEqualTo(LOADING_STATES);
			assertThat(History.figure(execution, "migrate.written")).isEqualTo(LOADING_STATES);
			assertThat(History.figure(execution, "verify.missing")).isZero();
			assertThat(History.figure(execution, "verify.mismatched")).isZero();
			try (Jedis jedis = new Jedis("127.0.0.1", target.port())) {
				assertThat(jedis.dbSize()).isEqualTo(LOADING_STATES);
			}
		}
	}

	@Test
	void shouldFailInOneLineWhenTheTargetIsOutOfMemoryAndResumeOnceItHasRoom() throws Exception {
		// given: a migration into a target that never evicts, whose maxmemory is lowered
		// below its use once the run is under way: it answers OOM to every write
		try (RedisServerProcess source = RedisServerProcess.start(Version.DEFAULT);
				RedisServerProcess target = RedisServerProcess.start(Version.DEFAULT, "--maxmemory-policy",
						"noeviction")) {
			seed(source, OOM_STATES);
			KeeperCli cli = new KeeperCli(this.tmp.resolve("oom"))
				.with(WorkerSettings.defaults().withRedisPaging(100, 50, 0))
				.with("keeper.migration.chunk-size", 100)
				.with("keeper.migration.prefetch", 0)
				.with("keeper.redis.retry.max-time", "2s")
				// the server's own OOM is under test: the eviction guard, which would
				// stop
				// the run first when it reads the lowered maxmemory in time, is off
				.with("keeper.migration.max-target-memory", "off");
			CompletableFuture<KeeperCli.Result> run = CompletableFuture
				.supplyAsync(() -> cli.run("migrate", "--from", source.uri(), "--to", target.uri()));
			awaitKeys(target, 2_000);
			try (Jedis jedis = new Jedis("127.0.0.1", target.port())) {
				jedis.configSet("maxmemory", Long.toString(usedMemory(jedis) - 64 * 1024));
			}

			// when
			KeeperCli.Result failed = run.get();

			// then: one line, exit 1, that says the target is out of memory
			assertThat(failed.exitCode()).as(failed.toString()).isEqualTo(1);
			assertThat(failed.err().lines().filter((line) -> line.startsWith("error:")).toList()).as(failed.toString())
				.singleElement()
				.asString()
				.contains("Redis at " + target.uri() + " is out of memory")
				.contains("maxmemory")
				.contains("still failing after")
				.endsWith("run the same command again to resume from its last checkpoint");
			assertThat(failed.err()).doesNotContain("\tat ");
			long before;
			try (Jedis jedis = new Jedis("127.0.0.1", target.port())) {
				before = jedis.dbSize();
				assertThat(before).isBetween(2_000L, OOM_STATES - 1L);

				// when: the target has room again
				jedis.configSet("maxmemory", "0");
			}
			KeeperCli.Result rerun = cli.run("migrate", "--from", source.uri(), "--to", target.uri());

			// then: the same run went on from its checkpoint: every state there, none
			// read or written twice, verification clean
			assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
			Map<String, Object> execution = History.latest(cli);
			assertThat(((Map<?, ?>) execution.get("parameters")).get("run")).isEqualTo("1");
			assertThat(History.figure(execution, "migrate.read")).isEqualTo(OOM_STATES);
			assertThat(History.figure(execution, "migrate.written") + History.figure(execution, "migrate.keptExisting"))
				.isEqualTo(OOM_STATES);
			assertThat(History.figure(execution, "verify.expected")).isEqualTo(OOM_STATES);
			assertThat(History.figure(execution, "verify.missing")).isZero();
			assertThat(History.figure(execution, "verify.mismatched")).isZero();
			try (Jedis jedis = new Jedis("127.0.0.1", target.port())) {
				assertThat(jedis.dbSize()).isEqualTo(OOM_STATES);
			}
		}
	}

	@Test
	void shouldMigrate200000StatesWhileTheSourceDropsEveryConnectionOnceASecond() throws Exception {
		// given: the scenario: 200,000 states on a source whose normal clients
		// are killed once a second, a target on another server, the default settings
		try (RedisServerProcess source = RedisServerProcess.start(Version.DEFAULT);
				RedisServerProcess target = RedisServerProcess.start(Version.DEFAULT)) {
			seed(source, KILLED_STATES);
			KeeperCli cli = new KeeperCli(this.tmp.resolve("killed"));

			// when
			KeeperCli.Result result;
			int kills;
			try (Killer killer = new Killer(source, 1_000)) {
				result = cli.run("migrate", "--from", source.uri(), "--to", target.uri());
				kills = killer.kills.get();
			}

			// then: the scan reconnected and went on from its position: every state read
			// once, written once, verified
			assertThat(result.exitCode()).as(result.toString()).isZero();
			assertThat(kills).as("the source's connections were killed during the run").isGreaterThan(2);
			Map<String, Object> execution = History.latest(cli);
			assertThat(History.figure(execution, "migrate.read")).isEqualTo(KILLED_STATES);
			assertThat(History.figure(execution, "migrate.written")).isEqualTo(KILLED_STATES);
			assertThat(History.figure(execution, "migrate.keptExisting")).isZero();
			assertThat(History.figure(execution, "verify.expected")).isEqualTo(KILLED_STATES);
			assertThat(History.figure(execution, "verify.missing")).isZero();
			assertThat(History.figure(execution, "verify.mismatched")).isZero();
			try (Jedis jedis = new Jedis("127.0.0.1", target.port())) {
				assertThat(jedis.dbSize()).isEqualTo(KILLED_STATES);
			}
		}
	}

	/**
	 * Saves {@code redis}'s states to its dump and restarts it on it, returning while it
	 * still loads them (answering {@code LOADING}).
	 */
	private static void restartLoading(RedisServerProcess redis) {
		try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
			jedis.save();
		}
		redis.restartLoading();
		try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
			assertThatExceptionOfType(JedisDataException.class).isThrownBy(jedis::dbSize)
				.withMessageStartingWith("LOADING");
		}
	}

	/**
	 * Runs a command that starts the worker, so that the next one starts in a second or
	 * two, well within the loading time, even as the first command of the JVM.
	 */
	private static void warmUp(KeeperCli cli) {
		KeeperCli.Result history = cli.run("history");
		assertThat(history.exitCode()).as(history.toString()).isZero();
	}

	/** When {@code redis} ends loading its data, as seen by polling its INFO. */
	private static CompletableFuture<LocalDateTime> loadedAt(RedisServerProcess redis) {
		return CompletableFuture.supplyAsync(() -> {
			try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
				while (jedis.info("persistence").contains("loading:1")) {
					sleep(20);
				}
				return LocalDateTime.now();
			}
		});
	}

	private static long usedMemory(Jedis jedis) {
		for (String line : jedis.info("memory").split("\r?\n")) {
			if (line.startsWith("used_memory:")) {
				return Long.parseLong(line.substring("used_memory:".length()).trim());
			}
		}
		throw new IllegalStateException("no used_memory in INFO memory");
	}

	private static void seed(RedisServerProcess redis, int count) {
		try (Jedis jedis = new Jedis("127.0.0.1", redis.port()); Pipeline pipeline = jedis.pipelined()) {
			for (int i = 0; i < count; i++) {
				String id = "t" + i;
				pipeline.set(SampleStates.PREFIX + id, SampleStates.state(id, "processing", i % 600),
						SetParams.setParams().ex(86_400));
				if (i % 1_000 == 999) {
					pipeline.sync();
				}
			}
			pipeline.sync();
		}
	}

	private static void awaitKeys(RedisServerProcess redis, long atLeast) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
		try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
			while (jedis.dbSize() < atLeast) {
				assertThat(System.nanoTime()).as("the migration wrote too slowly").isLessThan(deadline);
				Thread.sleep(20);
			}
		}
	}

	private static void awaitLoaded(RedisServerProcess redis, long states) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		while (System.nanoTime() < deadline) {
			try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
				if (jedis.dbSize() == states) {
					return;
				}
			}
			catch (RuntimeException ex) {
				// still loading
			}
			Thread.sleep(50);
		}
		throw new IllegalStateException("the source did not come back with its states");
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Kills the connections of every other normal client every {@code everyMillis}, on a
	 * connection of its own.
	 */
	private static final class Killer implements AutoCloseable {

		final AtomicInteger kills = new AtomicInteger();

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final Thread thread;

		Killer(RedisServerProcess redis, long everyMillis) {
			this.thread = new Thread(() -> {
				try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
					while (this.running.get()) {
						sleep(everyMillis);
						if (jedis.clientKill(ClientKillParams.clientKillParams().type(ClientType.NORMAL)) > 0) {
							this.kills.incrementAndGet();
						}
					}
				}
			}, "client-killer");
			this.thread.setDaemon(true);
			this.thread.start();
		}

		@Override
		public void close() throws InterruptedException {
			this.running.set(false);
			this.thread.join();
		}

	}

}
