package dev.workflowkeeper.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code report --sample} on a real Redis holding 60,000 states of two sizes (half of
 * them without a TTL) among 10,000 keys of another prefix: the estimates hold the truth
 * within their interval, the interval is narrow, the scan reads about the share asked
 * for, or stops near the keys asked for; a sample that is neither is refused.
 * <p>
 * A 95% interval misses the truth in one sample in twenty by design, and Redis seeds its
 * hash afresh in every server: so that this test fails for a wrong estimator rather than
 * by chance, the truth must lie within twice the half-width (a 99.9% interval), from
 * pages of {@code SCAN COUNT 250} (about 30 of them, so that the interval itself is
 * sure). {@code SampleEstimatorTests} checks the 95% coverage itself, on 200 seeded
 * trials.
 */
class ReportSampleFunctionalTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int STATES = 60_000;

	private static RedisServerProcess redis;

	private static long trueBytes;

	@TempDir
	Path tmp;

	KeeperCli cli;

	@BeforeAll
	static void loadStates() {
		redis = RedisServerProcess.start(Version.DEFAULT);
		String padding = "x".repeat(1_800);
		try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
			try (Pipeline pipeline = jedis.pipelined()) {
				for (int i = 0; i < STATES; i++) {
					String state = SampleStates.state("t" + i, "processing", 60);
					if (i % 2 == 0) {
						state = state.substring(0, state.length() - 1) + ", \"pad\": \"" + padding + "\"}";
					}
					if (i % 4 < 2) {
						pipeline.setex(SampleStates.PREFIX + "t" + i, 3_600, state);
					}
					else {
						pipeline.set(SampleStates.PREFIX + "t" + i, state);
					}
				}
				for (int i = 0; i < 10_000; i++) {
					pipeline.set("session:" + i, "{}");
				}
				pipeline.sync();
			}
			try (Pipeline pipeline = jedis.pipelined()) {
				List<Response<Long>> sizes = new ArrayList<>(STATES);
				for (int i = 0; i < STATES; i++) {
					sizes.add(pipeline.memoryUsage(SampleStates.PREFIX + "t" + i));
				}
				pipeline.sync();
				trueBytes = sizes.stream().mapToLong(Response::get).sum();
			}
		}
	}

	@AfterAll
	static void stopServer() {
		redis.close();
	}

	@BeforeEach
	void setUp() {
		this.cli = new KeeperCli(this.tmp.resolve("data"));
	}

	@Test
	void shouldEstimateKeysAndMemoryFromATenthWithAnHonestInterval() throws Exception {
		// when
		KeeperCli.Result result = this.cli.with("keeper.redis.scan-count", 250)
			.run("report", "--store", redis.uri(), "--sample", "0.1", "--format", "json");

		// then
		assertThat(result.exitCode()).as(result.toString()).isZero();
		JsonNode report = JSON.readTree(result.out());
		JsonNode sample = report.get("sample");
		JsonNode intervals = report.get("intervals");
		assertThat(sample.get("estimate").asBoolean()).isTrue();
		assertThat(sample.get("share").asDouble()).isBetween(0.1, 0.15);
		assertThat(sample.get("keysRead").asLong()).isBetween(4_000L, 9_000L);
		// the interval narrower than 10% of the total
		assertWithinInterval(report.get("keys").asLong(), intervals.get("keys").asLong(), STATES, 0.1);
		assertWithinInterval(report.get("memoryBytes").asLong(), intervals.get("memoryBytes").asLong(), trueBytes, 0.1);
		// half the keys in a page, varying from page to page on top of the pages' shares
		assertWithinInterval(report.get("keysWithoutTtl").asLong(), intervals.get("keysWithoutTtl").asLong(),
				STATES / 2, 0.25);
		assertThat(report.get("trend").get("estimate").asBoolean()).isTrue();
		assertThat(report.get("sample").get("pages").asLong()).isGreaterThan(20);
	}

	@Test
	void shouldStopNearTheKeysAskedForAndSaySoAtTheTop() {
		// when
		KeeperCli.Result result = this.cli.run("report", "--store", redis.uri(), "--sample", "5000");

		// then: a page of SCAN COUNT 1000 past the 5,000th key at most
		assertThat(result.exitCode()).as(result.toString()).isZero();
		String header = result.out().lines().skip(1).findFirst().orElseThrow();
		assertThat(header).startsWith("estimate from a sample of ").endsWith("; ± is a 95% interval");
		long keysRead = Long
			.parseLong(header.replaceAll("estimate from a sample of ([0-9,]+) keys.*", "$1").replace(",", ""));
		assertThat(keysRead).isBetween(5_000L, 6_500L);
		assertThat(result.out()).containsPattern("keys +[0-9,]+ ± [0-9,]+");
	}

	@Test
	void shouldSayTheReportIsExactOnTheMemoryStoreThatIsReadWhole() throws Exception {
		KeeperCli.Result result = this.cli.run("report", "--store", "memory:", "--sample", "10%", "--format", "json");

		assertThat(result.exitCode()).as(result.toString()).isZero();
		JsonNode report = JSON.readTree(result.out());
		assertThat(report.get("sample").get("estimate").asBoolean()).isFalse();
		assertThat(report.get("sample").get("requested").asString()).isEqualTo("0.1");
		assertThat(report.has("intervals")).isFalse();
	}

	@Test
	void shouldRefuseASampleThatIsNeitherAShareNorKeysOnEveryCommand() {
		String says = "option sample must be a share of the keyspace in (0, 1] such as 0.1 or 10%, "
				+ "or a whole number of keys such as 100000, not '";
		KeeperCli.Result zero = this.cli.run("report", "--store", redis.uri(), "--sample", "0");
		KeeperCli.Result tooMuch = this.cli.run("run", "reportMemoryJob", "--store", redis.uri(), "--sample", "1.5");

		assertThat(zero.exitCode()).as(zero.toString()).isEqualTo(2);
		assertThat(zero.err()).contains(says + "0'");
		assertThat(tooMuch.exitCode()).as(tooMuch.toString()).isEqualTo(2);
		assertThat(tooMuch.err()).contains(says + "1.5'");
	}

	private static void assertWithinInterval(long estimate, long halfWidth, long truth, double widest) {
		assertThat(2.0 * halfWidth).as("width of the interval around %d", estimate)
			.isPositive()
			.isLessThan(truth * widest);
		assertThat((double) Math.abs(estimate - truth))
			.as("distance of %d from the truth %d (± %d)", estimate, truth, halfWidth)
			.isLessThanOrEqualTo(2.0 * halfWidth);
	}

}
