package dev.workflowkeeper.pace;

import java.nio.file.Path;
import java.util.Map;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pace of real runs of the worker's commands on a real redis-server: a rate limit
 * holds over a whole report, and a latency budget is measured and kept among the
 * execution's figures, which history shows.
 */
@ExtendWith(RedisServerExtension.class)
class PaceFunctionalTests {

	private static final int KEYS = 50_000;

	@TempDir
	Path tmp;

	RedisDatabase redis;

	KeeperCli cli;

	@BeforeEach
	void setUp(RedisDatabase redis) {
		this.redis = redis;
		this.cli = new KeeperCli(this.tmp.resolve("data"));
		try (Jedis jedis = redis.jedis(); Pipeline pipeline = jedis.pipelined()) {
			for (int i = 0; i < KEYS; i++) {
				pipeline.setex(SampleStates.PREFIX + "t-" + i, 86_400, SampleStates.state("t-" + i, "processing", 60));
			}
			pipeline.sync();
		}
	}

	@Test
	void shouldTakeAtLeastFiveSecondsOfJobTimeToReportFiftyThousandKeysAtTenThousandKeysASecond() {
		// when
		KeeperCli.Result report = this.cli.run("report", "--store", this.redis.uri(), "--max-rate", "10000",
				"--latency-budget", "0");

		// then: every key, in no less than 5 s of job time, most of it throttled
		assertThat(report.exitCode()).as(report.toString()).isZero();
		Map<String, Object> latest = History.latest(this.cli);
		assertThat(History.figure(latest, "report.keys")).isEqualTo(KEYS);
		assertThat(((Number) latest.get("durationMillis")).longValue()).isGreaterThanOrEqualTo(5_000);
		assertThat(History.figure(latest, JobPace.THROTTLED_MILLIS)).isGreaterThan(3_000);
		assertThat((String) latest.get("outcome")).contains("throttled");
	}

	@Test
	void shouldMeasureTheServerOnItsProbeAndKeepItsPercentilesAmongTheFigures() {
		// when: a purge dry run with a budget (the tests' defaults switch it off)
		KeeperCli.Result purge = this.cli.run("purge", "--store", this.redis.uri(), "--dry-run", "--latency-budget",
				"5ms");

		// then
		assertThat(purge.exitCode()).as(purge.toString()).isZero();
		Map<String, Object> latest = History.latest(this.cli);
		assertThat(History.figure(latest, JobPace.PROBES)).isPositive();
		long p50 = History.figure(latest, JobPace.PROBE_P50_MICROS);
		long p99 = History.figure(latest, JobPace.PROBE_P99_MICROS);
		assertThat(p50).isPositive().isLessThanOrEqualTo(p99);
		assertThat(History.figure(latest, JobPace.THROTTLED_MILLIS)).isNotNegative();
		assertThat((String) latest.get("outcome")).contains("probe p50");
	}

	@Test
	void shouldRecordNoPaceFiguresWhenTheLimitsAreOff() {
		// when
		KeeperCli.Result report = this.cli.run("report", "--store", this.redis.uri(), "--no-values", "--max-rate", "0",
				"--latency-budget", "0");

		// then
		assertThat(report.exitCode()).as(report.toString()).isZero();
		@SuppressWarnings("unchecked")
		Map<String, Object> figures = (Map<String, Object>) History.latest(this.cli).get("figures");
		assertThat(figures).doesNotContainKeys(JobPace.THROTTLED_MILLIS, JobPace.PROBE_P99_MICROS);
	}

}
