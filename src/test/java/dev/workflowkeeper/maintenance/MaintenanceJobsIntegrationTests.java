package dev.workflowkeeper.maintenance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The maintenance jobs against a keyspace with known counts of every kind — fresh,
 * without TTL, TTL too long, stale, old finished, unparseable, look-alikes of other
 * prefixes and types — on Redis 7 and 6.2: exact report figures, exact fixes, exact
 * deletions, and a second run that changes nothing.
 */
class MaintenanceJobsIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String P = SampleStates.PREFIX;

	private static RedisServerProcess redis7;

	private static RedisServerProcess redis62;

	@TempDir
	Path tmp;

	KeeperCli cli;

	@BeforeAll
	static void startServers() {
		redis7 = RedisServerProcess.start(Version.DEFAULT);
		redis62 = RedisServerProcess.start(Version.V6_2);
	}

	@AfterAll
	static void stopServers() {
		redis7.close();
		redis62.close();
	}

	@BeforeEach
	void setUp() {
		this.cli = new KeeperCli(this.tmp.resolve("data"));
	}

	/**
	 * 10 fresh, 4 without TTL, 3 with a 10-day TTL, 5 stale (3 days old), 6 finished 30
	 * hours ago, 2 unparseable, 1 hash under the prefix, and look-alikes outside it.
	 */
	static void loadKnownKeyspace(RedisServerProcess server) {
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			jedis.flushAll();
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
			jedis.setex(P + "junk0", 3_600, "not json");
			jedis.setex(P + "junk1", 3_600, "[1, 2");
			jedis.hset(P + "a-hash", "status", "processing");
			jedis.expire(P + "a-hash", 3_600);
			jedis.set("document_workflowX1", "{}");
			jedis.set("document_workflow_meta:1", "{}");
			jedis.set("session:1", "{}");
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldReportExactFiguresOfAKnownKeyspace(Version version) throws Exception {
		// given
		RedisServerProcess server = server(version);
		loadKnownKeyspace(server);

		// when
		KeeperCli.Result result = this.cli.run("report", "--store", server.uri(), "--format", "json");

		// then
		assertThat(result.exitCode()).as(result.toString()).isZero();
		JsonNode report = JSON.readTree(result.out());
		assertThat(report.get("keys").asLong()).isEqualTo(31);
		assertThat(report.get("keysWithoutTtl").asLong()).isEqualTo(4);
		assertThat(report.get("keysAboveMaxTtl").asLong()).isEqualTo(3);
		assertThat(report.get("staleKeys").asLong()).isEqualTo(5);
		assertThat(report.get("unparseable").asLong()).isEqualTo(3);
		assertThat(report.get("byStatus").get("processing").get("keys").asLong()).isEqualTo(22);
		assertThat(report.get("byStatus").get("completed").get("keys").asLong()).isEqualTo(6);
		assertThat(report.get("ttlBuckets").get("none").get("keys").asLong()).isEqualTo(4);
		assertThat(report.get("ttlBuckets").get(">24h").get("keys").asLong()).isEqualTo(3);
		assertThat(report.get("ageBuckets").get("<1h").get("keys").asLong()).isEqualTo(13);
		assertThat(report.get("ageBuckets").get("1-6h").get("keys").asLong()).isEqualTo(4);
		assertThat(report.get("ageBuckets").get("1-2d").get("keys").asLong()).isEqualTo(6);
		assertThat(report.get("ageBuckets").get(">2d").get("keys").asLong()).isEqualTo(5);
		assertThat(report.get("memoryBytes").asLong()).isPositive();
		assertThat(report.get("sizePercentiles").get("max").asLong())
			.isGreaterThanOrEqualTo(report.get("sizePercentiles").get("p50").asLong());
		assertThat(report.get("topKeys")).hasSize(10);
		assertThat(report.get("server").get("usedMemory").asLong()).isPositive();

		// and a second report knows the first
		KeeperCli.Result second = this.cli.run("report", "--store", server.uri(), "--format", "json");
		JsonNode trend = JSON.readTree(second.out()).get("trend").get("sincePrevious");
		assertThat(trend.get("keys").asLong()).isZero();
	}

	@Test
	void shouldReportWithoutValuesFromMemoryAndTtlAlone() throws Exception {
		loadKnownKeyspace(redis7);
		KeeperCli.Result result = this.cli.run("report", "--store", redis7.uri(), "--no-values", "--format", "json");
		assertThat(result.exitCode()).as(result.toString()).isZero();
		JsonNode report = JSON.readTree(result.out());
		assertThat(report.get("keys").asLong()).isEqualTo(31);
		assertThat(report.get("keysWithoutTtl").asLong()).isEqualTo(4);
		// what only the values give is unknown, not 0: in the JSON, the table and the
		// history
		assertThat(report.get("values").asBoolean()).isFalse();
		assertThat(report.get("staleKeys").isNull()).as(result.out()).isTrue();
		assertThat(report.get("unparseable").isNull()).isTrue();
		assertThat(report.get("byStatus").isNull()).isTrue();
		assertThat(report.get("forecast").isNull()).isTrue();
		Object figures = History.latest(this.cli).get("figures");
		assertThat(figures.toString()).contains("report.keys").doesNotContain("report.staleKeys");
		KeeperCli.Result table = this.cli.run("report", "--store", redis7.uri(), "--no-values");
		assertThat(table.exitCode()).as(table.toString()).isZero();
		assertThat(table.out()).containsPattern("stale states +unknown").containsPattern("unparseable +unknown");
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldFixMissingAndCapLongTtlsExactlyOnce(Version version) {
		// given
		RedisServerProcess server = server(version);
		loadKnownKeyspace(server);

		// when: a dry run, a run, and a second run
		KeeperCli.Result dryRun = this.cli.run("enforce-ttl", "--store", server.uri(), "--dry-run");
		long withoutTtlAfterDryRun = countWithoutTtl(server);
		KeeperCli.Result run = this.cli.run("enforce-ttl", "--store", server.uri());
		Map<String, Object> first = History.latest(this.cli);
		KeeperCli.Result again = this.cli.run("enforce-ttl", "--store", server.uri());
		Map<String, Object> second = History.latest(this.cli);

		// then
		assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
		assertThat(withoutTtlAfterDryRun).isEqualTo(4);
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(History.figure(first, "ttl.fixedMissing")).isEqualTo(4);
		assertThat(History.figure(first, "ttl.capped")).isEqualTo(3);
		assertThat(History.figure(first, "ttl.checked")).isEqualTo(31);
		assertThat(again.exitCode()).isZero();
		assertThat(History.figure(second, "ttl.fixedMissing")).isZero();
		assertThat(History.figure(second, "ttl.capped")).isZero();
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			assertThat(countWithoutTtl(server)).isZero();
			// capped within the default spread of an hour below the maximum
			assertThat(jedis.ttl(P + "long0")).isBetween(82_800L - 60, 86_400L);
			assertThat(jedis.ttl(P + "fresh0")).isBetween(3_000L, 3_600L);
			assertThat(jedis.ttl("session:1")).isEqualTo(-1);
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldPurgeStaleAndOldFinishedStatesAfterArchivingThem(Version version) throws Exception {
		// given
		RedisServerProcess server = server(version);
		loadKnownKeyspace(server);

		// when: a dry run, a run, and a second run
		KeeperCli.Result dryRun = this.cli.run("purge", "--store", server.uri(), "--dry-run");
		long keysAfterDryRun = dbSize(server);
		KeeperCli.Result run = this.cli.run("purge", "--store", server.uri());
		Map<String, Object> first = History.latest(this.cli);
		KeeperCli.Result again = this.cli.run("purge", "--store", server.uri());
		Map<String, Object> second = History.latest(this.cli);

		// then
		assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
		assertThat(keysAfterDryRun).isEqualTo(34);
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(History.figure(first, "purge.deleted")).isEqualTo(11);
		assertThat(History.figure(first, "purge.archived")).isEqualTo(11);
		assertThat(again.exitCode()).as(again.toString()).isZero();
		assertThat(History.figure(second, "purgeScan.stale") + History.figure(second, "purgeScan.terminal")).isZero();
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			assertThat(jedis.exists(P + "stale0", P + "done0")).isZero();
			assertThat(jedis.exists(P + "fresh0", P + "nottl0", P + "long0", P + "junk0", P + "a-hash", "session:1"))
				.isEqualTo(6);
		}
		Path archive = Files.list(this.cli.dataDir().resolve("archive")).findFirst().orElseThrow();
		try (var in = new GZIPInputStream(Files.newInputStream(archive))) {
			assertThat(new String(in.readAllBytes()).lines().count()).isEqualTo(11);
		}
	}

	@Test
	void shouldDeleteUnparseableValuesOnlyWhenAskedAndArchiveTheirBytes() throws Exception {
		// given
		loadKnownKeyspace(redis7);

		// when
		KeeperCli.Result result = this.cli.run("purge", "--store", redis7.uri(), "--include-unparseable");

		// then: the 11 stale and old finished states and the 2 unparseable values are
		// gone; the hash stays
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(History.figure(History.latest(this.cli), "purge.deleted")).isEqualTo(13);
		try (Jedis jedis = new Jedis("127.0.0.1", redis7.port())) {
			assertThat(jedis.exists(P + "junk0", P + "junk1")).isZero();
			assertThat(jedis.exists(P + "a-hash")).isTrue();
		}
		Path raw = Files.list(this.cli.dataDir().resolve("archive"))
			.filter((file) -> file.getFileName().toString().endsWith("-unparseable.jsonl"))
			.findFirst()
			.orElseThrow();
		List<String> lines = Files.readAllLines(raw);
		assertThat(lines).hasSize(2);
		assertThat(lines).anySatisfy((line) -> assertThat(JSON.readTree(line).get("valueBase64").asString())
			.isEqualTo(java.util.Base64.getEncoder().encodeToString("not json".getBytes())));
	}

	@Test
	void shouldStopWithoutDeletingWhenTooManyStatesWouldGo() {
		// given
		loadKnownKeyspace(redis7);

		// when: nearly everything counts as stale
		KeeperCli.Result result = this.cli.run("purge", "--store", redis7.uri(), "--stale-after", "1s");

		// then
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
		assertThat(result.err()).contains("nothing was deleted");
		assertThat(dbSize(redis7)).isEqualTo(34);
	}

	@Test
	void shouldNeverDeleteAStateTheServiceRefreshesDuringThePurge() throws Exception {
		// given: 3,000 stale states, 600 of which the service keeps refreshing while the
		// purge runs
		try (Jedis jedis = new Jedis("127.0.0.1", redis7.port())) {
			jedis.flushAll();
			var pipeline = jedis.pipelined();
			for (int i = 0; i < 3_000; i++) {
				pipeline.setex(P + "s" + i, 3_600, SampleStates.state("s" + i, "processing", 3 * 86_400));
			}
			pipeline.sync();
		}
		List<String> refreshed = new ArrayList<>();
		for (int i = 0; i < 3_000; i += 5) {
			refreshed.add(P + "s" + i);
		}
		AtomicBoolean running = new AtomicBoolean(true);
		CompletableFuture<Void> service = CompletableFuture.runAsync(() -> {
			try (Jedis jedis = new Jedis("127.0.0.1", redis7.port())) {
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
				.run("purge", "--store", redis7.uri(), "--force");
		}
		finally {
			running.set(false);
			service.get();
		}

		// then: every state the service touched is there; the others are gone
		assertThat(result.exitCode()).as(result.toString()).isZero();
		try (Jedis jedis = new Jedis("127.0.0.1", redis7.port())) {
			for (String key : refreshed) {
				assertThat(jedis.exists(key)).as(key).isTrue();
			}
			assertThat(jedis.dbSize()).isEqualTo(refreshed.size());
		}
	}

	@Test
	void shouldMaintainTheEmbeddedMemoryStore() throws Exception {
		// given: the memory store filled from a snapshot: 3 fresh states and 2 old
		// finished ones
		Map<String, String> states = new java.util.LinkedHashMap<>();
		for (int i = 0; i < 3; i++) {
			states.put("m" + i, SampleStates.state("m" + i, "processing", 60));
		}
		for (int i = 3; i < 5; i++) {
			states.put("m" + i, SampleStates.state("m" + i, "failed", 30 * 3_600));
		}
		Path snapshot = SampleStates.writeMap(this.tmp.resolve("m.json"), states);
		assertThat(this.cli.run("migrate", "--from", "snapshot:" + snapshot, "--to", "memory:", "--ttl", "reset")
			.exitCode()).isZero();

		assertThat(this.cli
			.run("migrate", "--from", "snapshot:" + snapshot, "--to", "memory:", "--ttl", "864000", "--target-prefix",
					"other:")
			.exitCode()).isZero();

		// when
		KeeperCli.Result report = this.cli.run("report", "--store", "memory:", "--format", "json");
		KeeperCli.Result ttl = this.cli.with("keeper.key-prefix", "other:").run("enforce-ttl", "--store", "memory:");
		Map<String, Object> ttlRun = History.latest(this.cli);
		this.cli.with("keeper.key-prefix", SampleStates.PREFIX);
		KeeperCli.Result purge = this.cli.run("purge", "--store", "memory:");
		KeeperCli.Result after = this.cli.run("report", "--store", "memory:", "--format", "json");

		// then: a 10-day TTL under the other prefix was capped, the old finished states
		// purged
		assertThat(report.exitCode()).as(report.toString()).isZero();
		assertThat(JSON.readTree(report.out()).get("keys").asLong()).isEqualTo(5);
		assertThat(ttl.exitCode()).as(ttl.toString()).isZero();
		assertThat(History.figure(ttlRun, "ttl.capped")).isEqualTo(5);
		assertThat(purge.exitCode()).as(purge.toString()).isZero();
		assertThat(JSON.readTree(after.out()).get("keys").asLong()).isEqualTo(3);
	}

	static RedisServerProcess server(Version version) {
		return (version == Version.V6_2) ? redis62 : redis7;
	}

	static long dbSize(RedisServerProcess server) {
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			return jedis.dbSize();
		}
	}

	static long countWithoutTtl(RedisServerProcess server) {
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			return jedis.keys(P + "*").stream().filter((key) -> jedis.ttl(key) == -1).count();
		}
	}

}
