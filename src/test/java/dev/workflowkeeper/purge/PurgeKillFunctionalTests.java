package dev.workflowkeeper.purge;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code kill -9} of a purge process during its delete pass, then the same command again,
 * on a real redis-server: at the kill every state gone from Redis is in the archive
 * already, and after the re-run every purged state has exactly one archive record and
 * {@code purge.deleted} counts every state that is gone. The kill lands where it lands;
 * trials repeat until one has landed inside a chunk's deletes (a state deleted that the
 * killed run had not counted), which is what proves the restart's accounting.
 */
class PurgeKillFunctionalTests {

	static final int STALE = 20_000;

	static final int FRESH = 25_000;

	static final int TRIALS = 6;

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

	@Test
	void shouldArchiveEveryPurgedStateExactlyOnceAndCountItWhenThePurgeIsKilledMidDeleteAndRunAgain() throws Exception {
		long landedMidDelete = 0;
		for (int trial = 0; trial < TRIALS && landedMidDelete == 0; trial++) {
			landedMidDelete = trial(trial);
		}
		assertThat(landedMidDelete).as("no kill in %d trials landed inside a chunk's deletes", TRIALS).isPositive();
	}

	/** One kill and re-run; returns what the re-run found the killed run had deleted. */
	private long trial(int trial) throws Exception {
		// given: stale and fresh states, and a purge in its own process, chunks of 200
		Set<String> stale = load();
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data-" + trial)).with("keeper.maintenance.chunk-size", 200);
		String[] command = { "purge", "--store", redis.uri() };
		Process purge = cli.start(command);

		// when: kill -9 once deletes are under way
		awaitDeleting(cli, purge);
		Thread.sleep(ThreadLocalRandom.current().nextLong(200));
		purge.destroyForcibly();
		purge.waitFor();

		// then: every state gone already is in the archive a reader sees now
		Path archive = archive(cli);
		Set<String> present = present(stale);
		Set<String> gone = new HashSet<>(stale);
		gone.removeAll(present);
		assertThat(gone).as("the kill came after the delete pass had begun").isNotEmpty();
		assertThat(threadIds(readComplete(archive))).containsAll(gone);

		// when: the same command again
		KeeperCli.Result rerun = cli.run(command);

		// then: it resumed and completed; every state gone has exactly one record, and
		// every record is of a state now gone (nothing changed meanwhile); every state
		// gone is counted; the fresh ones are all there
		assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
		Map<String, Object> resumed = History.latest(cli);
		assertThat(resumed.get("status")).isEqualTo("COMPLETED");
		Set<String> goneAtEnd = new HashSet<>(stale);
		goneAtEnd.removeAll(present(stale));
		List<String> archived = threadIds(readAll(archive));
		assertThat(archived).doesNotHaveDuplicates();
		assertThat(new HashSet<>(archived)).isEqualTo(goneAtEnd);
		assertThat(History.figure(resumed, "purge.deleted")).isEqualTo(goneAtEnd.size());
		assertThat(History.figure(resumed, "purge.archived")).isEqualTo(goneAtEnd.size());
		assertThat(goneAtEnd).as("stale states the resumed scan left").hasSize(STALE);
		try (Jedis jedis = jedis()) {
			assertThat(jedis.dbSize()).isEqualTo(FRESH + STALE - goneAtEnd.size());
		}

		// when: the archive is restored into another database
		String restoreTo = redis.uri(1);
		KeeperCli.Result restore = cli.run("migrate", "--from", "snapshot:" + archive, "--to", restoreTo);

		// then: every purged state comes back from its one record
		assertThat(restore.exitCode()).as(restore.toString()).isZero();
		try (Jedis jedis = jedis()) {
			jedis.select(1);
			assertThat(jedis.dbSize()).isEqualTo(goneAtEnd.size());
			jedis.flushDB();
		}
		long before = History.figure(resumed, "purge.deletedBeforeRestart");
		System.out.printf("trial %d: %d gone at the kill, %d of them not counted by the killed run; %d of %d gone"
				+ " at the end%n", trial, gone.size(), before, goneAtEnd.size(), STALE);
		return before;
	}

	private static Set<String> load() {
		Set<String> stale = new HashSet<>();
		try (Jedis jedis = jedis(); Pipeline pipeline = jedis.pipelined()) {
			jedis.flushAll();
			for (int i = 0; i < STALE; i++) {
				String id = "old-" + i;
				pipeline.set(SampleStates.PREFIX + id, SampleStates.state(id, "processing", 3 * 86_400),
						SetParams.setParams().ex(86_400));
				stale.add(id);
			}
			for (int i = 0; i < FRESH; i++) {
				String id = "new-" + i;
				pipeline.set(SampleStates.PREFIX + id, SampleStates.state(id, "processing", 60),
						SetParams.setParams().ex(86_400));
			}
			pipeline.sync();
		}
		return stale;
	}

	private static Set<String> present(Set<String> ids) {
		Set<String> present = new HashSet<>();
		try (Jedis jedis = jedis(); Pipeline pipeline = jedis.pipelined()) {
			List<String> order = List.copyOf(ids);
			var replies = order.stream().map((id) -> pipeline.exists(SampleStates.PREFIX + id)).toList();
			pipeline.sync();
			for (int i = 0; i < order.size(); i++) {
				if (replies.get(i).get()) {
					present.add(order.get(i));
				}
			}
		}
		return present;
	}

	private static Path archive(KeeperCli cli) throws IOException {
		try (Stream<Path> files = Files.list(cli.dataDir().resolve("archive"))) {
			return files.filter((path) -> path.getFileName().toString().matches("purge-\\d+\\.jsonl\\.gz"))
				.findFirst()
				.orElseThrow();
		}
	}

	/** The complete lines a reader gets from the file now, up to a torn end. */
	private static List<String> readComplete(Path file) throws IOException {
		ByteArrayOutputStream content = new ByteArrayOutputStream();
		try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
			in.transferTo(content);
		}
		catch (EOFException ex) {
			// a torn last member: what came before counts
		}
		String text = content.toString(StandardCharsets.UTF_8);
		return text.lines().limit(text.chars().filter((c) -> c == '\n').count()).toList();
	}

	private static List<String> readAll(Path file) throws IOException {
		try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
		}
	}

	private static List<String> threadIds(List<String> lines) {
		return lines.stream()
			.map((line) -> line.substring("{\"thread_id\":\"".length(), line.indexOf('"', 14)))
			.toList();
	}

	/** Waits until states are being deleted, watched in Redis. */
	private static void awaitDeleting(KeeperCli cli, Process process) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		try (Jedis jedis = jedis()) {
			while (System.nanoTime() < deadline) {
				if (!process.isAlive()) {
					throw new IllegalStateException("the purge ended before it was killed: "
							+ Files.readString(cli.dataDir().resolve("process.err")));
				}
				if (jedis.dbSize() <= STALE + FRESH - 2_000) {
					return;
				}
				Thread.sleep(10);
			}
		}
		throw new IllegalStateException("the purge did not start deleting");
	}

	private static Jedis jedis() {
		return new Jedis("127.0.0.1", redis.port(), 30_000);
	}

}
