package dev.workflowkeeper.store.redis;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisClusterProcess;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPooled;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.SetParams;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every job on a real 3-master Redis Cluster addressed by one node gives the figures it
 * gives on one server holding the same keys: report, enforce-ttl, purge (and its dry
 * run), migrate from and to a standalone server and from a snapshot, with verification.
 */
class RedisClusterFunctionalTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String P = SampleStates.PREFIX;

	/** The known keyspace's states under the prefix, all types. */
	private static final int KEYS = 331;

	private static RedisClusterProcess cluster;

	private static RedisServerProcess server;

	@TempDir
	Path tmp;

	KeeperCli cli;

	@BeforeAll
	static void start() {
		cluster = RedisClusterProcess.start(Version.DEFAULT, 3, false);
		server = RedisServerProcess.start(Version.DEFAULT);
	}

	@AfterAll
	static void stop() {
		if (cluster != null) {
			cluster.close();
		}
		if (server != null) {
			server.close();
		}
	}

	@BeforeEach
	void setUp() {
		this.cli = new KeeperCli(this.tmp.resolve("data"));
		for (int i = 0; i < 3; i++) {
			try (Jedis jedis = new Jedis("127.0.0.1", cluster.master(i).port())) {
				jedis.flushAll();
			}
		}
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			jedis.flushAll();
		}
	}

	/**
	 * 300 fresh states of four statuses, 10 fresh, 4 without TTL, 3 with a 10-day TTL, 5
	 * stale, 6 finished 30 hours ago, 2 unparseable, 1 hash under the prefix, and
	 * look-alikes outside it: spread over every master of a cluster.
	 */
	static void loadKnownKeyspace(UnifiedJedis jedis) {
		SampleStates.states(300).forEach((id, state) -> jedis.set(P + id, state, SetParams.setParams().ex(86_000)));
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

	private static void loadBoth() {
		try (UnifiedJedis clustered = cluster.client(); UnifiedJedis single = standalone()) {
			loadKnownKeyspace(clustered);
			loadKnownKeyspace(single);
		}
		// every master holds part of the keys: a report of one master would fall short
		for (int i = 0; i < 3; i++) {
			try (Jedis jedis = new Jedis("127.0.0.1", cluster.master(i).port())) {
				assertThat(jedis.dbSize()).isBetween(50L, (long) KEYS);
			}
		}
	}

	private static UnifiedJedis standalone() {
		return new JedisPooled("127.0.0.1", server.port());
	}

	@Test
	void shouldReportOnAClusterTheFiguresOfOneServerWithTheSameKeys() throws Exception {
		// given
		loadBoth();

		// when
		KeeperCli.Result onServer = this.cli.run("report", "--store", server.uri(), "--format", "json");
		KeeperCli.Result onCluster = this.cli.run("report", "--store", cluster.uri(), "--format", "json");
		KeeperCli.Result bySeeds = this.cli.run("report", "--store", cluster.seedsUri(), "--format", "json");
		KeeperCli.Result sampled = this.cli.run("report", "--store", cluster.uri(), "--format", "json", "--sample",
				"10%");

		// then
		assertThat(onServer.exitCode()).as(onServer.toString()).isZero();
		assertThat(onCluster.exitCode()).as(onCluster.toString()).isZero();
		assertThat(bySeeds.exitCode()).as(bySeeds.toString()).isZero();
		JsonNode expected = JSON.readTree(onServer.out());
		assertThat(expected.get("keys").asLong()).isEqualTo(KEYS);
		assertThat(sampled.exitCode()).as(sampled.toString()).isZero();
		JsonNode server = JSON.readTree(onCluster.out()).get("server");
		assertThat(server.get("masters")).hasSize(3);
		assertThat(server.get("dbKeys").asLong()).isEqualTo(KEYS + 3);
		assertThat(server.get("topologyChanged").asBoolean()).isFalse();
		// a sample of a cluster reads it whole: exact figures
		for (JsonNode report : List.of(JSON.readTree(onCluster.out()), JSON.readTree(bySeeds.out()),
				JSON.readTree(sampled.out()))) {
			for (String figure : List.of("keys", "keysWithoutTtl", "keysAboveMaxTtl", "staleKeys", "unparseable")) {
				assertThat(report.get(figure)).as(figure).isEqualTo(expected.get(figure));
			}
			// the memory of a key differs in cluster mode (its slot's bookkeeping): the
			// counts of keys are the figures to match
			for (String buckets : List.of("byStatus", "ttlBuckets", "ageBuckets")) {
				assertThat(keysOf(report.get(buckets))).as(buckets)
					.isEqualTo(keysOf(expected.get(buckets)))
					.isNotEmpty();
			}
		}
	}

	@Test
	void shouldEnforceTtlsOnAClusterAsOnOneServer() {
		// given
		loadBoth();

		// when
		Map<String, Object> onServer = run("enforce-ttl", "--store", server.uri());
		KeeperCli.Result dryRun = this.cli.run("enforce-ttl", "--store", cluster.uri(), "--dry-run");
		long withoutTtlAfterDryRun = countWithoutTtl();
		Map<String, Object> onCluster = run("enforce-ttl", "--store", cluster.uri());
		Map<String, Object> again = run("enforce-ttl", "--store", cluster.uri());

		// then
		assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
		assertThat(withoutTtlAfterDryRun).isEqualTo(4);
		assertThat(History.figure(onServer, "ttl.fixedMissing")).isEqualTo(4);
		assertThat(History.figure(onServer, "ttl.capped")).isEqualTo(3);
		for (String figure : List.of("ttl.fixedMissing", "ttl.capped", "ttl.checked")) {
			assertThat(History.figure(onCluster, figure)).as(figure).isEqualTo(History.figure(onServer, figure));
		}
		assertThat(History.figure(again, "ttl.fixedMissing") + History.figure(again, "ttl.capped")).isZero();
		assertThat(countWithoutTtl()).isZero();
		try (UnifiedJedis jedis = cluster.client()) {
			assertThat(jedis.ttl(P + "long0")).isBetween(82_800L - 60, 86_400L);
			assertThat(jedis.ttl("session:1")).isEqualTo(-1);
		}
	}

	@Test
	void shouldPurgeOnAClusterAsOnOneServer() {
		// given
		loadBoth();

		// when
		Map<String, Object> onServer = run("purge", "--store", server.uri());
		Map<String, Object> dryRun = run("purge", "--store", cluster.uri(), "--dry-run");
		long keysAfterDryRun = clusterKeys();
		Map<String, Object> onCluster = run("purge", "--store", cluster.uri());
		Map<String, Object> again = run("purge", "--store", cluster.uri());

		// then
		assertThat(History.figure(onServer, "purge.deleted")).isEqualTo(11);
		assertThat(keysAfterDryRun).isEqualTo(KEYS + 3);
		assertThat(History.figure(dryRun, "purgeScan.stale") + History.figure(dryRun, "purgeScan.terminal"))
			.isEqualTo(11);
		for (String figure : List.of("purge.deleted", "purge.archived", "purgeScan.stale", "purgeScan.terminal")) {
			assertThat(History.figure(onCluster, figure)).as(figure).isEqualTo(History.figure(onServer, figure));
		}
		assertThat(History.figure(again, "purgeScan.stale") + History.figure(again, "purgeScan.terminal")).isZero();
		assertThat(clusterKeys()).isEqualTo(KEYS + 3 - 11);
		try (UnifiedJedis jedis = cluster.client()) {
			assertThat(jedis.exists(P + "stale0")).isFalse();
			assertThat(jedis.exists(P + "fresh0")).isTrue();
		}
	}

	@Test
	void shouldMigrateFromOneServerToAClusterAndBackWithNothingMissing() {
		// given: the states on the server alone
		try (UnifiedJedis single = standalone()) {
			loadKnownKeyspace(single);
		}

		// when
		Map<String, Object> toCluster = run("migrate", "--from", server.uri(0), "--to", cluster.uri());
		Map<String, Object> back = run("migrate", "--from", cluster.uri(), "--to", server.uri(1));

		// then: the string states under the prefix, every one of them, both ways
		long states = KEYS - 1;
		for (Map<String, Object> execution : List.of(toCluster, back)) {
			assertThat(History.figure(execution, "migrate.read")).isEqualTo(states);
			assertThat(History.figure(execution, "migrate.written")).isEqualTo(states);
			assertThat(History.figure(execution, "verify.matched")).isEqualTo(states);
			assertThat(History.figure(execution, "verify.missing")).isZero();
			assertThat(History.figure(execution, "verify.mismatched")).isZero();
		}
		assertThat(clusterKeys()).isEqualTo(states);
		try (Jedis original = new Jedis("127.0.0.1", server.port());
				Jedis copy = new Jedis("127.0.0.1", server.port())) {
			copy.select(1);
			assertThat(copy.dbSize()).isEqualTo(states);
			assertThat(copy.get(P + "t7")).isNotNull().isEqualTo(original.get(P + "t7"));
		}
	}

	@Test
	void shouldMigrateASnapshotToAClusterWithNothingMissing() throws Exception {
		// given
		Map<String, String> states = SampleStates.states(500);
		Path snapshot = SampleStates.writeMap(this.tmp.resolve("states.json"), states);

		// when
		Map<String, Object> execution = run("migrate", "--from", "snapshot:" + snapshot, "--to", cluster.uri());

		// then
		assertThat(History.figure(execution, "migrate.written")).isEqualTo(500);
		assertThat(History.figure(execution, "verify.matched")).isEqualTo(500);
		assertThat(History.figure(execution, "verify.missing")).isZero();
		assertThat(clusterKeys()).isEqualTo(500);
	}

	@Test
	void shouldGenerateOnAClusterTheStatesItGeneratesOnOneServer() throws Exception {
		// when: the same seed on both
		run("generate", "--to", server.uri(), "--count", "2000", "--seed", "7");
		run("generate", "--to", cluster.uri(), "--count", "2000", "--seed", "7");
		KeeperCli.Result serverReport = this.cli.run("report", "--store", server.uri(), "--format", "json");
		KeeperCli.Result clusterReport = this.cli.run("report", "--store", cluster.uri(), "--format", "json");

		// then
		assertThat(clusterKeys()).isEqualTo(2000);
		JsonNode expected = JSON.readTree(serverReport.out());
		JsonNode report = JSON.readTree(clusterReport.out());
		assertThat(report.get("keys").asLong()).isEqualTo(expected.get("keys").asLong()).isEqualTo(2000);
		assertThat(keysOf(report.get("byStatus"))).isEqualTo(keysOf(expected.get("byStatus")));
		// (the ages move on between the two runs: a state may cross a bucket's bound)
	}

	private static Map<String, Long> keysOf(JsonNode buckets) {
		Map<String, Long> keys = new TreeMap<>();
		buckets.properties().forEach((bucket) -> keys.put(bucket.getKey(), bucket.getValue().get("keys").asLong()));
		return keys;
	}

	private Map<String, Object> run(String... args) {
		KeeperCli.Result result = this.cli.run(args);
		assertThat(result.exitCode()).as(result.toString()).isZero();
		return History.latest(this.cli);
	}

	private static long clusterKeys() {
		long keys = 0;
		for (int i = 0; i < 3; i++) {
			try (Jedis jedis = new Jedis("127.0.0.1", cluster.master(i).port())) {
				keys += jedis.dbSize();
			}
		}
		return keys;
	}

	private static long countWithoutTtl() {
		try (UnifiedJedis jedis = cluster.client()) {
			long count = 0;
			for (int i = 0; i < 4; i++) {
				count += (jedis.ttl(P + "nottl" + i) == -1) ? 1 : 0;
			}
			return count;
		}
	}

}
