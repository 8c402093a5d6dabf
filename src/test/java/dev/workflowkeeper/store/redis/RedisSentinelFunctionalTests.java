package dev.workflowkeeper.store.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisSentinelProcess;
import dev.workflowkeeper.support.SampleStates;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The jobs against a master named by Redis Sentinels ({@code redis-sentinel://}): a
 * master, a replica and three Sentinels, all real processes. The jobs see what they see
 * on the master addressed directly, follow a failover, and running the same migration
 * again after a failover copies what the new master lost.
 */
class RedisSentinelFunctionalTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String P = SampleStates.PREFIX;

	@TempDir
	Path tmp;

	RedisSentinelProcess redis;

	KeeperCli cli;

	@BeforeEach
	void setUp() {
		this.redis = RedisSentinelProcess.start();
		this.cli = new KeeperCli(this.tmp.resolve("data"));
	}

	@AfterEach
	void tearDown() {
		this.redis.close();
	}

	@Test
	void shouldReportEnforceTtlsAndPurgeThroughSentinelsAsOnTheMasterItself() throws Exception {
		// given: 10 fresh, 4 without TTL, 3 with a 10-day TTL, 5 stale, 6 finished long
		// ago
		try (Jedis jedis = master()) {
			for (int i = 0; i < 10; i++) {
				jedis.setex(P + "fresh" + i, 3_600, SampleStates.state("fresh" + i, "processing", 60));
			}
			for (int i = 0; i < 4; i++) {
				jedis.set(P + "nottl" + i, SampleStates.state("nottl" + i, "processing", 3_700));
			}
			for (int i = 0; i < 3; i++) {
				jedis.setex(P + "long" + i, 864_000, SampleStates.state("long" + i, "processing", 60));
			}
			for (int i = 0; i < 5; i++) {
				jedis.setex(P + "stale" + i, 3_600, SampleStates.state("stale" + i, "processing", 3 * 86_400));
			}
			for (int i = 0; i < 6; i++) {
				jedis.setex(P + "done" + i, 3_600, SampleStates.state("done" + i, "completed", 30 * 3_600));
			}
			jedis.set("session:1", "{}");
		}
		String direct = this.redis.master().uri();

		// when: a report of the master itself and one through the Sentinels
		KeeperCli.Result directReport = this.cli.run("report", "--store", direct, "--format", "json");
		KeeperCli.Result sentinelReport = this.cli.run("report", "--store", this.redis.uri(), "--format", "json");

		// then: the same figures
		assertThat(directReport.exitCode()).as(directReport.toString()).isZero();
		assertThat(sentinelReport.exitCode()).as(sentinelReport.toString()).isZero();
		JsonNode expected = JSON.readTree(directReport.out());
		JsonNode actual = JSON.readTree(sentinelReport.out());
		assertThat(actual.get("keys").asLong()).isEqualTo(28);
		for (String figure : List.of("keys", "keysWithoutTtl", "keysAboveMaxTtl", "staleKeys", "unparseable")) {
			assertThat(actual.get(figure).asLong()).as(figure).isEqualTo(expected.get(figure).asLong());
		}
		assertThat(actual.get("byStatus")).isEqualTo(expected.get("byStatus"));

		// when: TTLs enforced and stale states purged through the Sentinels
		KeeperCli.Result ttl = this.cli.run("enforce-ttl", "--store", this.redis.uri());
		Map<String, Object> ttlRun = History.latest(this.cli);
		KeeperCli.Result purge = this.cli.run("purge", "--store", this.redis.uri());
		Map<String, Object> purgeRun = History.latest(this.cli);

		// then: the figures of the keyspace, and the master changed accordingly
		assertThat(ttl.exitCode()).as(ttl.toString()).isZero();
		assertThat(History.figure(ttlRun, "ttl.checked")).isEqualTo(28);
		assertThat(History.figure(ttlRun, "ttl.fixedMissing")).isEqualTo(4);
		assertThat(History.figure(ttlRun, "ttl.capped")).isEqualTo(3);
		assertThat(purge.exitCode()).as(purge.toString()).isZero();
		assertThat(History.figure(purgeRun, "purge.deleted")).isEqualTo(11);
		try (Jedis jedis = master()) {
			assertThat(jedis.ttl(P + "nottl0")).isPositive();
			assertThat(jedis.exists(P + "stale0", P + "done0")).isZero();
			assertThat(jedis.dbSize()).isEqualTo(18);
		}
	}

	@Test
	void shouldCopyWhatAFailoverLostWhenTheSameMigrationRunsAgain() throws Exception {
		// given: a paced migration into the master named by the Sentinels
		int states = 6_000;
		Path snapshot = this.tmp.resolve("states.json");
		KeeperCli.Result generated = this.cli.run("generate", "--to", "snapshot:" + snapshot, "--count",
				Integer.toString(states), "--map");
		assertThat(generated.exitCode()).as(generated.toString()).isZero();
		KeeperCli paced = this.cli.with("keeper.migration.chunk-size", 100);
		String[] migrate = { "migrate", "--from", "snapshot:" + snapshot, "--to", this.redis.uri(), "--max-rate",
				"1500" };
		CompletableFuture<KeeperCli.Result> first = CompletableFuture.supplyAsync(() -> paced.run(migrate));
		int before = this.redis.master().port();
		awaitKeys(1_500);

		// when: the Sentinels fail over to the replica in the middle of it
		this.redis.failover();
		KeeperCli.Result interrupted = first.get(5, TimeUnit.MINUTES);
		Map<?, ?> firstFigures = (Map<?, ?>) History.latest(this.cli).get("figures");
		if (firstFigures.get("verify.missing") instanceof Number missing && missing.longValue() > 0) {
			// writes the former master acknowledged and the new one never got
			assertThat(interrupted.exitCode()).as(interrupted.toString()).isEqualTo(1);
		}
		int runs = 1;
		KeeperCli.Result last = interrupted;
		// and the same command runs again until it ends well
		while (last.exitCode() != 0 && runs < 4) {
			last = paced.run(migrate);
			runs++;
		}

		// then: nothing is missing on the new master (the generated states that had
		// expired before their copy aside)
		assertThat(this.redis.master().port()).isNotEqualTo(before);
		assertThat(last.exitCode()).as("after " + runs + " runs: " + last).isZero();
		Map<String, Object> execution = History.latest(this.cli);
		assertThat(History.figure(execution, "verify.missing")).isZero();
		assertThat(History.figure(execution, "verify.mismatched")).isZero();
		long expected = History.figure(execution, "verify.expected");
		assertThat(expected).isGreaterThan(states * 9 / 10);
		try (Jedis jedis = master()) {
			assertThat(jedis.dbSize()).isEqualTo(expected);
		}
	}

	@Test
	void shouldStopAScanWhoseMasterChangedAndScanTheNewMasterFromTheStartWhenResumed() throws Exception {
		// given: a reader half way through a scan of the master the Sentinels name
		try (Jedis jedis = master()) {
			SampleStates.load(jedis, SampleStates.states(10_000), 3_600);
		}
		awaitReplicated(10_000);
		WorkerSettings settings = WorkerSettings.defaults().withRedisPaging(200, 50, 0);
		try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(this.redis.uri()), P,
				settings.keeperProperties().redis())) {
			ItemStreamReader<WorkflowEntry> reader = store.readers("failoverReader").get(0);
			ExecutionContext context = new ExecutionContext();
			reader.open(context);
			for (int i = 0; i < 1_000; i++) {
				assertThat(reader.read()).isNotNull();
			}
			reader.update(context);

			// when: the replica becomes the master, whose SCAN cursors mean something
			// else
			this.redis.failover();
			Thread.sleep(1_000);

			// then: the scan stops rather than carry a cursor over to another server
			assertThatExceptionOfType(StoreAccessException.class).isThrownBy(() -> {
				while (reader.read() != null) {
					// reading on
				}
			}).withMessageContaining("during the scan");
			reader.close();

			// when: resumed from the last checkpoint
			ItemStreamReader<WorkflowEntry> resumed = store.readers("failoverReader").get(0);
			resumed.open(context);
			Set<String> read = new HashSet<>();
			for (WorkflowEntry entry = resumed.read(); entry != null; entry = resumed.read()) {
				read.add(entry.threadId());
			}
			resumed.close();

			// then: every key, scanned again from the start on the new master
			assertThat(read).hasSize(10_000);
		}
	}

	@Test
	void shouldNameAMasterTheSentinelsDoNotKnowInOneLine() {
		// given
		String unknown = this.redis.uri().replace("#" + RedisSentinelProcess.MASTER_NAME, "#nosuchmaster");

		// when
		KeeperCli.Result result = this.cli.run("report", "--store", unknown);

		// then
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(result.err().strip()).doesNotContain("\n").contains("nosuchmaster").contains("Sentinel");
	}

	private Jedis master() {
		return new Jedis("127.0.0.1", this.redis.master().port());
	}

	private void awaitReplicated(long keys) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		try (Jedis replica = new Jedis("127.0.0.1", this.redis.replica().port())) {
			while (replica.dbSize() < keys) {
				assertThat(System.nanoTime()).as("replicated in time").isLessThan(deadline);
				Thread.sleep(20);
			}
		}
	}

	private void awaitKeys(long atLeast) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		while (System.nanoTime() < deadline) {
			try (Jedis jedis = master()) {
				if (jedis.dbSize() >= atLeast) {
					return;
				}
			}
			Thread.sleep(20);
		}
		throw new IllegalStateException("the migration did not get going");
	}

}
