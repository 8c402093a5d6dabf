package dev.workflowkeeper.maintenance;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
 * Each job run as an ACL user with exactly the least-privilege rule the README gives for
 * it ({@link #RULES}, which the README repeats word for word): it succeeds; a user
 * without one of the commands gets one line naming the command and the rule that grants
 * it, never the password.
 */
class AclUsersFunctionalTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String P = SampleStates.PREFIX;

	private static final String PASSWORD = "acl-secret-7Hq";

	/** The rules of the README's section "Managed services and ACL users", by job. */
	static final Map<String, String> RULES = new LinkedHashMap<>();

	static {
		RULES.put("report", "%R~document_workflow:* +scan +get +type +pttl +pexpiretime +time +memory|usage"
				+ " +info +dbsize +ping");
		RULES.put("purge --dry-run", "%R~document_workflow:* +scan +get +type +pttl +pexpiretime +time"
				+ " +memory|usage +info +dbsize +ping");
		RULES.put("enforce-ttl", "~document_workflow:* +scan +type +pttl +pexpiretime +time +memory|usage"
				+ " +pexpire +pexpireat +multi +exec +eval +evalsha +info +dbsize +ping");
		RULES.put("purge", "~document_workflow:* +scan +get +type +pttl +pexpiretime +time +memory|usage"
				+ " +unlink +exists +eval +evalsha +info +dbsize +ping");
		RULES.put("migrate (out of Redis)", "%R~document_workflow:* +scan +get +pttl +pexpiretime +info +dbsize +ping");
		RULES.put("migrate (into Redis)",
				"~document_workflow:* +scan +get +set +pttl +pexpiretime +info +dbsize" + " +ping");
		RULES.put("migrate --on-conflict newer (into Redis)", "~document_workflow:* +scan +get +set +type +pttl"
				+ " +pexpiretime +eval +evalsha +info +dbsize +ping");
		RULES.put("generate", "~document_workflow:* +set +info +dbsize +ping");
	}

	private static RedisServerProcess server;

	@TempDir
	Path tmp;

	KeeperCli cli;

	@BeforeAll
	static void startServer() {
		server = RedisServerProcess.start(Version.DEFAULT);
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			RULES.forEach((job, rule) -> createUser(jedis, user(job), rule));
		}
	}

	@AfterAll
	static void stopServer() {
		server.close();
	}

	@BeforeEach
	void setUp() {
		this.cli = new KeeperCli(this.tmp.resolve("data"));
	}

	@Test
	void shouldReportAsAUserWithTheReportRule() throws Exception {
		// given
		MaintenanceJobsIntegrationTests.loadKnownKeyspace(server);

		// when
		KeeperCli.Result result = this.cli.run("report", "--store", uri("report"), "--format", "json");

		// then: measured, not estimated, with the server's view
		assertThat(result.exitCode()).as(result.toString()).isZero();
		JsonNode report = JSON.readTree(result.out());
		assertThat(report.get("keys").asLong()).isEqualTo(31);
		assertThat(report.has("memoryEstimated")).isFalse();
		assertThat(report.get("server").get("usedMemory").asLong()).isPositive();
	}

	@Test
	void shouldEnforceTtlAsAUserWithTheEnforceTtlRule() throws Exception {
		// given
		MaintenanceJobsIntegrationTests.loadKnownKeyspace(server);

		// when
		KeeperCli.Result result = this.cli.run("enforce-ttl", "--store", uri("enforce-ttl"));

		// then
		assertThat(result.exitCode()).as(result.toString()).isZero();
		Map<String, Object> run = History.latest(this.cli);
		assertThat(History.figure(run, "ttl.fixedMissing")).isEqualTo(4);
		assertThat(History.figure(run, "ttl.capped")).isEqualTo(3);
	}

	@Test
	void shouldPurgeAndDryRunAsUsersWithTheirRules() throws Exception {
		// given
		MaintenanceJobsIntegrationTests.loadKnownKeyspace(server);

		// when
		KeeperCli.Result dryRun = this.cli.run("purge", "--store", uri("purge --dry-run"), "--dry-run");
		long keysAfterDryRun = dbSize();
		KeeperCli.Result run = this.cli.run("purge", "--store", uri("purge"));

		// then
		assertThat(dryRun.exitCode()).as(dryRun.toString()).isZero();
		assertThat(keysAfterDryRun).isEqualTo(34);
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(History.figure(History.latest(this.cli), "purge.deleted")).isEqualTo(11);
		assertThat(dbSize()).isEqualTo(23);
	}

	@Test
	void shouldMigrateIntoAndOutOfRedisAndGenerateAsUsersWithTheirRules() throws Exception {
		// given
		flush();
		Path snapshot = this.tmp.resolve("states.json");
		Path out = this.tmp.resolve("out.json");
		assertThat(this.cli.run("generate", "--to", "snapshot:" + snapshot, "--count", "40").exitCode()).isZero();

		// when
		KeeperCli.Result into = this.cli.run("migrate", "--from", "snapshot:" + snapshot, "--to",
				uri("migrate (into Redis)"));
		KeeperCli.Result newer = this.cli.run("migrate", "--from", "snapshot:" + snapshot, "--to",
				uri("migrate --on-conflict newer (into Redis)"), "--on-conflict", "newer");
		KeeperCli.Result outOf = this.cli.run("migrate", "--from", uri("migrate (out of Redis)"), "--to",
				"snapshot:" + out);
		flush();
		KeeperCli.Result generate = this.cli.run("generate", "--to", uri("generate"), "--count", "30");

		// then
		assertThat(into.exitCode()).as(into.toString()).isZero();
		assertThat(newer.exitCode()).as(newer.toString()).isZero();
		assertThat(outOf.exitCode()).as(outOf.toString()).isZero();
		assertThat(Files.size(out)).isPositive();
		assertThat(generate.exitCode()).as(generate.toString()).isZero();
		assertThat(dbSize()).isEqualTo(30);
	}

	@Test
	void shouldNameTheCommandAUserLacksInOneLine() throws Exception {
		// given: the purge's rule without UNLINK, which the delete script calls
		MaintenanceJobsIntegrationTests.loadKnownKeyspace(server);
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			createUser(jedis, "keeper-no-unlink", RULES.get("purge").replace(" +unlink", ""));
		}

		// when
		KeeperCli.Result result = this.cli.run("purge", "--store",
				"redis://keeper-no-unlink:" + PASSWORD + "@127.0.0.1:" + server.port() + "/0");

		// then
		assertThat(result.exitCode()).as(result.toString()).isNotZero();
		assertThat(result.err()).contains("refused UNLINK to user keeper-no-unlink")
			.contains("grant it with +unlink")
			.doesNotContain(PASSWORD);
		assertThat(dbSize()).isEqualTo(34);
	}

	@Test
	void shouldEstimateMemoryForAUserRefusedMemoryUsage() throws Exception {
		// given
		MaintenanceJobsIntegrationTests.loadKnownKeyspace(server);
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			createUser(jedis, "keeper-no-memory",
					RULES.get("report").replace(" +memory|usage", "").replace(" +get", " +get +strlen"));
		}

		// when
		KeeperCli.Result result = this.cli.run("report", "--store",
				"redis://keeper-no-memory:" + PASSWORD + "@127.0.0.1:" + server.port() + "/0", "--format", "json");

		// then
		assertThat(result.exitCode()).as(result.toString()).isZero();
		JsonNode report = JSON.readTree(result.out());
		assertThat(report.get("memoryEstimated").asBoolean()).isTrue();
		assertThat(report.get("keys").asLong()).isEqualTo(31);
	}

	@Test
	void shouldReportWithoutTheServersViewForAUserRefusedInfo() throws Exception {
		// given: neither INFO nor HELLO, so the server's version is unknown too
		MaintenanceJobsIntegrationTests.loadKnownKeyspace(server);
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			createUser(jedis, "keeper-no-info", RULES.get("report").replace(" +info", ""));
		}
		String uri = "redis://keeper-no-info:" + PASSWORD + "@127.0.0.1:" + server.port() + "/0";

		// when
		KeeperCli.Result json = this.cli.run("report", "--store", uri, "--format", "json");
		KeeperCli.Result table = this.cli.run("report", "--store", uri);

		// then
		assertThat(json.exitCode()).as(json.toString()).isZero();
		JsonNode report = JSON.readTree(json.out());
		assertThat(report.get("keys").asLong()).isEqualTo(31);
		assertThat(report.get("keysWithoutTtl").asLong()).isEqualTo(4);
		assertThat(report.get("server").get("info").asString()).isEqualTo("unavailable");
		assertThat(table.exitCode()).as(table.toString()).isZero();
		assertThat(table.out()).contains("unavailable (no INFO)");
	}

	@Test
	void readmeShouldGiveExactlyTheRulesTheseTestsCheck() throws Exception {
		String readme = Files.readString(Path.of("README.md"));
		RULES.forEach((job, rule) -> assertThat(readme).as(job).contains("| `" + job + "` | `" + rule + "` |"));
	}

	private static void createUser(Jedis jedis, String name, String rule) {
		List<String> rules = new java.util.ArrayList<>(List.of("reset", "on", ">" + PASSWORD));
		rules.addAll(Arrays.asList(rule.split(" ")));
		jedis.aclSetUser(name, rules.toArray(String[]::new));
	}

	/** The user of a job's rule: {@code keeper-} and the job's words. */
	private static String user(String job) {
		return "keeper-" + job.replaceAll("[^a-z]+", "-").replaceAll("-+$", "");
	}

	private static String uri(String job) {
		return "redis://" + user(job) + ":" + PASSWORD + "@127.0.0.1:" + server.port() + "/0";
	}

	private static void flush() {
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			jedis.flushAll();
		}
	}

	private static long dbSize() {
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			return jedis.dbSize();
		}
	}

}
