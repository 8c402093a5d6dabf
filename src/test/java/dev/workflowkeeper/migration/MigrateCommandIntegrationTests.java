package dev.workflowkeeper.migration;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The migration matrix through the command line, against real redis-server processes
 * (Redis 7 and the shipped 6.2): every kind of store to every other, with exact counts
 * and the target's state checked key by key.
 */
class MigrateCommandIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

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
		for (RedisServerProcess server : new RedisServerProcess[] { redis7, redis62 }) {
			try (Jedis jedis = jedis(server, 0)) {
				jedis.flushAll();
			}
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldCopyRedisToRedisByteForByteWithTheSameExpiries(Version version) {
		// given: 300 states with TTLs, look-alike keys of other prefixes and types, a
		// binary value
		RedisServerProcess server = server(version);
		Map<String, String> states = SampleStates.states(300);
		try (Jedis jedis = jedis(server, 0)) {
			SampleStates.load(jedis, states, 86_400);
			SampleStates.loadLookAlikes(jedis);
			jedis.set((SampleStates.PREFIX + "binary").getBytes(), new byte[] { '{', (byte) 0xff, (byte) 0xfe, '}' });
			jedis.expire(SampleStates.PREFIX + "binary", 3_600);
		}

		// when
		KeeperCli.Result result = this.cli.run("migrate", "--from", server.uri(0), "--to", server.uri(1));

		// then
		assertThat(result.exitCode()).as(result.toString()).isZero();
		Map<String, Object> execution = History.latest(this.cli);
		assertThat(History.figure(execution, "migrate.read")).isEqualTo(301);
		assertThat(History.figure(execution, "migrate.written")).isEqualTo(301);
		assertThat(History.figure(execution, "verify.matched")).isEqualTo(301);
		assertThat(History.figure(execution, "verify.missing")).isZero();
		assertThat(History.figure(execution, "verify.mismatched")).isZero();
		try (Jedis source = jedis(server, 0); Jedis target = jedis(server, 1)) {
			assertThat(keys(target)).hasSize(301).allMatch((key) -> key.startsWith(SampleStates.PREFIX));
			for (String key : keys(target)) {
				assertThat(target.get(key.getBytes())).isEqualTo(source.get(key.getBytes()));
				long sourceTtl = source.pttl(key);
				assertThat(target.pttl(key)).isPositive().isBetween(sourceTtl - 5_000, sourceTtl + 5_000);
			}
			assertThat(target.exists("document_workflowX1", "document_workflow_meta:1", "session:1")).isZero();
			assertThat(target.exists(SampleStates.PREFIX + "a-hash")).isFalse();
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldMoveASnapshotOfTheInMemoryStoreToRedisWithTtlsFromAge(Version version) throws Exception {
		// given: the service's json.dump of 200 states, the oldest 199 minutes old
		RedisServerProcess server = server(version);
		Map<String, String> states = SampleStates.states(200);
		Path snapshot = SampleStates.writeMap(this.tmp.resolve("states.json"), states);

		// when
		KeeperCli.Result result = this.cli.run("migrate", "--from", "snapshot:" + snapshot, "--to", server.uri(0));

		// then: every state is in Redis, compact and equal in content, with TTL = 86400 -
		// age
		assertThat(result.exitCode()).as(result.toString()).isZero();
		try (Jedis jedis = jedis(server, 0)) {
			assertThat(keys(jedis)).hasSize(200);
			for (Map.Entry<String, String> state : states.entrySet()) {
				String stored = jedis.get(SampleStates.PREFIX + state.getKey());
				assertThat(JSON.readTree(stored)).isEqualTo(JSON.readTree(state.getValue()));
				assertThat(stored).doesNotContain("\": ");
				long age = Long.parseLong(state.getKey().substring(1)) * 60;
				assertThat(jedis.ttl(SampleStates.PREFIX + state.getKey())).isBetween(86_400 - age - 10,
						86_400 - age + 1);
			}
		}
		assertThat(History.figure(History.latest(this.cli), "verify.matched")).isEqualTo(200);
	}

	@Test
	void shouldBackUpRedisToASnapshotAndRestoreItIntoAnotherDatabase() throws Exception {
		// given
		Map<String, String> states = SampleStates.states(150);
		try (Jedis jedis = jedis(redis7, 0)) {
			SampleStates.load(jedis, states, 7_200);
		}
		Path backup = this.tmp.resolve("backup.jsonl.gz");

		// when: redis → snapshot, snapshot → snapshot, snapshot → redis
		KeeperCli.Result backedUp = this.cli.run("migrate", "--from", redis7.uri(0), "--to", "snapshot:" + backup);
		KeeperCli.Result converted = this.cli.run("migrate", "--from", "snapshot:" + backup, "--to",
				"snapshot:" + this.tmp.resolve("copy.jsonl"));
		KeeperCli.Result restored = this.cli.run("migrate", "--from", "snapshot:" + this.tmp.resolve("copy.jsonl"),
				"--to", redis7.uri(2));

		// then: the restored states equal the originals in content, with the same
		// expiries
		assertThat(backedUp.exitCode()).as(backedUp.toString()).isZero();
		assertThat(converted.exitCode()).as(converted.toString()).isZero();
		assertThat(restored.exitCode()).as(restored.toString()).isZero();
		assertThat(Files.size(backup)).isPositive();
		try (Jedis original = jedis(redis7, 0); Jedis copy = jedis(redis7, 2)) {
			assertThat(keys(copy)).isEqualTo(keys(original));
			for (String key : keys(original)) {
				assertThat(JSON.readTree(copy.get(key))).isEqualTo(JSON.readTree(original.get(key)));
				assertThat(copy.pttl(key)).isBetween(original.pttl(key) - 5_000, original.pttl(key) + 5_000);
			}
		}
	}

	@Test
	void shouldMigrateThroughTheEmbeddedMemoryStore() throws Exception {
		// given
		Map<String, String> states = SampleStates.states(50);
		Path snapshot = SampleStates.writeMap(this.tmp.resolve("states.json"), states);

		// when: snapshot → memory (persisted at exit), then memory → redis in a later
		// process
		KeeperCli.Result intoMemory = this.cli.run("migrate", "--from", "snapshot:" + snapshot, "--to", "memory:");
		KeeperCli.Result outOfMemory = this.cli.run("migrate", "--from", "memory:", "--to", redis7.uri(3));

		// then
		assertThat(intoMemory.exitCode()).as(intoMemory.toString()).isZero();
		assertThat(outOfMemory.exitCode()).as(outOfMemory.toString()).isZero();
		try (Jedis jedis = jedis(redis7, 3)) {
			assertThat(keys(jedis)).hasSize(50);
			assertThat(keys(jedis)).allMatch((key) -> jedis.ttl(key) > 0);
		}
	}

	@Test
	void shouldKeepTheTargetsStatesUnderSkipAndCountThemApart() {
		// given: the target already holds 5 of the 40 states, with other values, and one
		// unrelated state
		Map<String, String> states = SampleStates.states(40);
		try (Jedis source = jedis(redis7, 0); Jedis target = jedis(redis7, 1)) {
			SampleStates.load(source, states, 3_600);
			for (int i = 0; i < 5; i++) {
				target.setex(SampleStates.PREFIX + "t" + i, 3_600, "{\"status\": \"live\"}");
			}
			target.setex(SampleStates.PREFIX + "unrelated", 3_600, "{\"status\": \"processing\"}");
		}

		// when
		KeeperCli.Result result = this.cli.run("migrate", "--from", redis7.uri(0), "--to", redis7.uri(1));

		// then: the live service's 5 states won, and nothing counts as a difference
		assertThat(result.exitCode()).as(result.toString()).isZero();
		Map<String, Object> execution = History.latest(this.cli);
		assertThat(History.figure(execution, "migrate.written")).isEqualTo(35);
		assertThat(History.figure(execution, "migrate.keptExisting")).isEqualTo(5);
		assertThat(History.figure(execution, "verify.keptByPolicy")).isEqualTo(5);
		assertThat(History.figure(execution, "verify.extraPreExisting")).isEqualTo(1);
		assertThat(History.figure(execution, "verify.extra")).isZero();
		try (Jedis target = jedis(redis7, 1)) {
			assertThat(target.get(SampleStates.PREFIX + "t0")).isEqualTo("{\"status\": \"live\"}");
		}
	}

	@Test
	void shouldOverwriteOnlyOlderStatesUnderNewer() {
		// given: t0 is newer in the target, t1 older
		Map<String, String> states = SampleStates.states(2);
		try (Jedis source = jedis(redis7, 0); Jedis target = jedis(redis7, 1)) {
			SampleStates.load(source, states, 3_600);
			target.setex(SampleStates.PREFIX + "t0", 3_600, SampleStates.state("t0", "completed", -600));
			target.setex(SampleStates.PREFIX + "t1", 3_600, SampleStates.state("t1", "pending", 86_000));
		}

		// when
		KeeperCli.Result result = this.cli.run("migrate", "--from", redis7.uri(0), "--to", redis7.uri(1),
				"--on-conflict", "newer");

		// then
		assertThat(result.exitCode()).as(result.toString()).isZero();
		try (Jedis target = jedis(redis7, 1)) {
			assertThat(target.get(SampleStates.PREFIX + "t0")).contains("\"completed\"");
			assertThat(target.get(SampleStates.PREFIX + "t1")).isEqualTo(states.get("t1"));
		}
	}

	@Test
	void shouldFilterTerminalStatesAndRenameThePrefix() {
		// given: 40 states, a quarter each processing/completed/failed/pending
		try (Jedis source = jedis(redis7, 0)) {
			SampleStates.load(source, SampleStates.states(40), 3_600);
		}

		// when
		KeeperCli.Result result = this.cli.run("migrate", "--from", redis7.uri(0), "--to", redis7.uri(1),
				"--exclude-terminal", "--target-prefix", "wf:");

		// then
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(History.figure(History.latest(this.cli), "migrate.filtered")).isEqualTo(20);
		try (Jedis target = jedis(redis7, 1)) {
			Set<String> keys = Set.copyOf(target.keys("*"));
			assertThat(keys).hasSize(20).allMatch((key) -> key.startsWith("wf:t"));
		}
	}

	@Test
	void shouldGiveFreshTtlsAndFilterByStatus() {
		// given: 40 states with a 1-hour TTL, a quarter each
		// processing/completed/failed/pending
		try (Jedis source = jedis(redis7, 0)) {
			SampleStates.load(source, SampleStates.states(40), 3_600);
		}

		// when: a fixed TTL for the processing and pending ones, a reset TTL for all
		KeeperCli.Result fixed = this.cli.run("migrate", "--from", redis7.uri(0), "--to", redis7.uri(1), "--ttl", "600",
				"--status", "processing,pending");
		KeeperCli.Result reset = this.cli.run("migrate", "--from", redis7.uri(0), "--to", redis7.uri(2), "--ttl",
				"reset");

		// then
		assertThat(fixed.exitCode()).as(fixed.toString()).isZero();
		assertThat(reset.exitCode()).as(reset.toString()).isZero();
		try (Jedis fixedTarget = jedis(redis7, 1); Jedis resetTarget = jedis(redis7, 2)) {
			assertThat(keys(fixedTarget)).hasSize(20).allMatch((key) -> {
				String value = fixedTarget.get(key);
				return value.contains("\"processing\"") || value.contains("\"pending\"");
			});
			assertThat(keys(fixedTarget)).allMatch((key) -> fixedTarget.ttl(key) > 590 && fixedTarget.ttl(key) <= 600);
			assertThat(keys(resetTarget)).hasSize(40).allMatch((key) -> resetTarget.ttl(key) > 86_390);
		}
	}

	@Test
	void shouldWriteNothingOnADryRun() throws Exception {
		// given
		Path snapshot = SampleStates.writeMap(this.tmp.resolve("states.json"), SampleStates.states(30));

		// when
		KeeperCli.Result result = this.cli.run("migrate", "--from", "snapshot:" + snapshot, "--to", redis7.uri(1),
				"--dry-run");

		// then
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(History.figure(History.latest(this.cli), "migrate.written")).isEqualTo(30);
		try (Jedis target = jedis(redis7, 1)) {
			assertThat(target.dbSize()).isZero();
		}
	}

	@Test
	void shouldGenerateRealisticStates() throws Exception {
		// when
		KeeperCli.Result result = this.cli.run("generate", "--to", redis7.uri(4), "--count", "500", "--seed", "7");

		// then: 500 JSON states of about 2–3 KB, each with a TTL
		assertThat(result.exitCode()).as(result.toString()).isZero();
		try (Jedis jedis = jedis(redis7, 4)) {
			assertThat(keys(jedis)).hasSize(500);
			for (String key : keys(jedis)) {
				String value = jedis.get(key);
				JsonNode state = JSON.readTree(value);
				assertThat(state.get("status").asString()).isNotBlank();
				assertThat(value.length()).isBetween(2_000, 200_000 + 3_500);
				assertThat(jedis.ttl(key)).isPositive();
			}
		}
	}

	@Test
	void shouldExitWithOneWhenVerificationFindsStatesMissing() {
		// given: 2,000 states of 2–3 KB, and a target that evicts keys beyond 3 MB
		KeeperCli.Result generated = this.cli.run("generate", "--to", redis7.uri(5), "--count", "2000");
		assertThat(generated.exitCode()).as(generated.toString()).isZero();
		try (RedisServerProcess small = RedisServerProcess.start(Version.DEFAULT, "--maxmemory", "3mb",
				"--maxmemory-policy", "allkeys-random")) {

			// when: the eviction guard, which would refuse this target, turned off
			KeeperCli.Result result = this.cli.with("keeper.migration.max-target-memory", "off")
				.run("migrate", "--from", redis7.uri(5), "--to", small.uri());

			// then: the run completed, but verification counted what the target lost
			assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
			Map<String, Object> execution = History.latest(this.cli);
			assertThat(execution.get("status")).isEqualTo("COMPLETED");
			assertThat(execution.get("exitCode")).isEqualTo("DIFFERENCES");
			assertThat(History.figure(execution, "verify.missing")).isPositive();
			assertThat(History.figure(execution, "verify.missing") + History.figure(execution, "verify.matched"))
				.isEqualTo(History.figure(execution, "migrate.written"));
		}
	}

	static RedisServerProcess server(Version version) {
		return (version == Version.V6_2) ? redis62 : redis7;
	}

	static Jedis jedis(RedisServerProcess server, int db) {
		Jedis jedis = new Jedis("127.0.0.1", server.port());
		jedis.select(db);
		return jedis;
	}

	static Set<String> keys(Jedis jedis) {
		Set<String> keys = new java.util.TreeSet<>();
		String cursor = ScanParams.SCAN_POINTER_START;
		do {
			ScanResult<String> page = jedis.scan(cursor, new ScanParams().match(SampleStates.PREFIX + "*").count(500));
			keys.addAll(page.getResult());
			cursor = page.getCursor();
		}
		while (!cursor.equals(ScanParams.SCAN_POINTER_START));
		return keys;
	}

}
