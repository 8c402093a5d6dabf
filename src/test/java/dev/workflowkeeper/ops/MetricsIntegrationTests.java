package dev.workflowkeeper.ops;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.generate.GenerateJob;
import dev.workflowkeeper.pace.JobPace;
import dev.workflowkeeper.purge.PurgeJob;
import dev.workflowkeeper.report.ReportJob;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.SampleStates;
import dev.workflowkeeper.ttl.EnforceTtlJob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;
import tools.jackson.databind.JsonNode;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The metrics of a running worker after real jobs ran on a real Redis: the report gauges
 * against the report's own figures, the maintenance counters against what the runs
 * changed, Spring Batch's timers, and the Prometheus scrape behind the operator's
 * credentials; each store's report in its own series.
 */
// closed before the temporary data folder is deleted, so that no H2 file appears while it
// goes
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class MetricsIntegrationTests {

	static final String ADMIN_PASSWORD = "op-secret-metrics";

	@TempDir
	static Path tmp;

	static RedisServerProcess redis;

	@LocalServerPort
	int port;

	@Autowired
	ReportJob reportJob;

	@Autowired
	EnforceTtlJob enforceTtlJob;

	@Autowired
	PurgeJob purgeJob;

	@Autowired
	GenerateJob generateJob;

	OpsHttp http;

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.start(Version.DEFAULT);
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@DynamicPropertySource
	static void worker(DynamicPropertyRegistry registry) {
		OpsEndpointsIntegrationTests.workerIn(registry, tmp);
		registry.add("keeper.ops.admin-password", () -> ADMIN_PASSWORD);
		// paced, with room to spare: the probe measures, the jobs hardly wait
		registry.add("keeper.redis.pace.latency-budget", () -> "50ms");
	}

	@BeforeEach
	void setUp() {
		this.http = new OpsHttp(this.port);
		try (Jedis jedis = jedis()) {
			jedis.flushAll();
		}
	}

	@Test
	void shouldPublishTheLatestReportsFiguresAsGauges() throws Exception {
		// given 8 states with a TTL (2 of each status) and 3 without
		try (Jedis jedis = jedis()) {
			SampleStates.load(jedis, SampleStates.states(8), 3600);
			for (int i = 0; i < 3; i++) {
				jedis.set(SampleStates.PREFIX + "n" + i, SampleStates.state("n" + i, "processing", 10));
			}
		}

		// when
		JobExecution execution = this.reportJob.run(redis.uri(), true);

		// then
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		Map<String, Object> report = ReportJob.report(execution);
		assertThat(gauge("workflowkeeper.report.keys", redisStore())).isEqualTo(11.0)
			.isEqualTo(number(report.get("keys")));
		assertThat(gauge("workflowkeeper.report.keys.without.ttl", redisStore())).isEqualTo(3.0);
		assertThat(gauge("workflowkeeper.report.memory", redisStore())).isPositive()
			.isEqualTo(number(report.get("memoryBytes")));
		Map<?, ?> byStatus = (Map<?, ?>) report.get("byStatus");
		assertThat(gauge("workflowkeeper.report.status.keys", redisStore(), "status:processing")).isEqualTo(5.0);
		assertThat(gauge("workflowkeeper.report.status.keys", redisStore(), "status:failed")).isEqualTo(2.0);
		assertThat(gauge("workflowkeeper.report.status.bytes", redisStore(), "status:failed"))
			.isEqualTo(number(((Map<?, ?>) byStatus.get("failed")).get("bytes")));
		assertThat(gauge("workflowkeeper.report.timestamp", redisStore())).isPositive();
	}

	@Test
	void shouldPublishThePaceOfTheLatestPacedRunOfAJob() throws Exception {
		// given
		try (Jedis jedis = jedis()) {
			SampleStates.load(jedis, SampleStates.states(500), 3600);
		}

		// when
		JobExecution execution = this.reportJob.run(redis.uri(), false);

		// then: the probe's percentiles of the run as gauges, its throttled time counted
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		long p99 = execution.getExecutionContext().getLong(JobPace.PROBE_P99_MICROS);
		assertThat(p99).isPositive();
		assertThat(gauge("workflowkeeper.pace.probe.latency", "job:reportMemoryJob", "quantile:0.99"))
			.isEqualTo(p99 / 1e6);
		assertThat(gauge("workflowkeeper.pace.probe.latency", "job:reportMemoryJob", "quantile:0.5")).isPositive()
			.isLessThanOrEqualTo(p99 / 1e6);
		assertThat(gauge("workflowkeeper.pace.throttled", "job:reportMemoryJob")).isNotNegative();
	}

	@Test
	void shouldAddAStatusGaugeWhenANewStatusAppears() throws Exception {
		// given a report without cancelled states
		try (Jedis jedis = jedis()) {
			SampleStates.load(jedis, SampleStates.states(4), 3600);
		}
		this.reportJob.run(redis.uri(), true);
		assertThat(this.http
			.get("/actuator/metrics/workflowkeeper.report.status.keys?tag=" + redisStore() + "&tag=status:cancelled",
					"admin", ADMIN_PASSWORD)
			.statusCode()).isEqualTo(404);

		// when
		try (Jedis jedis = jedis()) {
			SampleStates.load(jedis, Map.of("c1", SampleStates.state("c1", "cancelled", 5)), 3600);
		}
		this.reportJob.run(redis.uri(), true);

		// then
		assertThat(gauge("workflowkeeper.report.status.keys", redisStore(), "status:cancelled")).isEqualTo(1.0);
		assertThat(gauge("workflowkeeper.report.keys", redisStore())).isEqualTo(5.0);
	}

	@Test
	void shouldKeepEachStoresGaugesApart() throws Exception {
		// given a report of Redis (4 states)
		try (Jedis jedis = jedis()) {
			SampleStates.load(jedis, SampleStates.states(4), 3600);
		}
		this.reportJob.run(redis.uri(), true);
		double redisReportTime = gauge("workflowkeeper.report.timestamp", redisStore());

		// when the worker's default store, memory:, is reported on, without the values
		assertThat(this.generateJob.run(StoreUri.parse("memory:"), 9, 3, false, System.currentTimeMillis()).getStatus())
			.isEqualTo(BatchStatus.COMPLETED);
		JobExecution memory = this.reportJob.run("memory:", false);

		// then each store has its own series, and Redis's did not move
		assertThat(memory.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		double memoryKeys = number(ReportJob.report(memory).get("keys"));
		assertThat(memoryKeys).isGreaterThanOrEqualTo(9.0);
		assertThat(gauge("workflowkeeper.report.keys", "store:memory:")).isEqualTo(memoryKeys);
		assertThat(gauge("workflowkeeper.report.keys", redisStore())).isEqualTo(4.0);
		assertThat(gauge("workflowkeeper.report.timestamp", redisStore())).isEqualTo(redisReportTime);
		assertThat(gauge("workflowkeeper.report.status.keys", redisStore(), "status:processing")).isEqualTo(1.0);
		// a report without the values knows no stale states and no statuses: no series
		// rather than a 0
		assertThat(gauge("workflowkeeper.report.stale.keys", redisStore())).isZero();
		assertThat(status("/actuator/metrics/workflowkeeper.report.stale.keys?tag=store:memory:")).isEqualTo(404);
		assertThat(status("/actuator/metrics/workflowkeeper.report.status.keys?tag=store:memory:")).isEqualTo(404);
		String scrape = this.http.get("/actuator/prometheus", "admin", ADMIN_PASSWORD).body();
		assertThat(scrape).contains("workflowkeeper_report_keys{store=\"memory:\"} " + memoryKeys,
				"workflowkeeper_report_keys{store=\"" + redis.uri() + "\"} 4.0");
	}

	@Test
	void shouldCountTheTtlsFixedAndTheStatesPurgedButNotDryRuns() throws Exception {
		// given 3 states without a TTL, 2 with a TTL above the service's (24h), 5 fine; 2
		// of them stale
		try (Jedis jedis = jedis()) {
			for (int i = 0; i < 3; i++) {
				jedis.set(SampleStates.PREFIX + "m" + i, SampleStates.state("m" + i, "processing", 10));
			}
			for (int i = 0; i < 2; i++) {
				jedis.set(SampleStates.PREFIX + "l" + i, SampleStates.state("l" + i, "pending", 10),
						SetParams.setParams().ex(3 * 86_400));
			}
			SampleStates.load(jedis, SampleStates.states(3), 3600);
			SampleStates.load(jedis, Map.of("s0", SampleStates.state("s0", "processing", 3 * 86_400), "s1",
					SampleStates.state("s1", "pending", 3 * 86_400)), 3600);
		}
		double missingBefore = gauge("workflowkeeper.ttl.fixed", "kind:missing");
		double cappedBefore = gauge("workflowkeeper.ttl.fixed", "kind:capped");
		double purgedBefore = gauge("workflowkeeper.states.purged");

		// when
		JobExecution ttlDryRun = this.enforceTtlJob.run(redis.uri(), null, false, true);
		JobExecution purgeDryRun = this.purgeJob.run(redis.uri(), null, null, true, false, false, false);
		double missingAfterDryRuns = gauge("workflowkeeper.ttl.fixed", "kind:missing");
		double purgedAfterDryRuns = gauge("workflowkeeper.states.purged");
		JobExecution ttl = this.enforceTtlJob.run(redis.uri(), null, false, false);
		JobExecution purge = this.purgeJob.run(redis.uri(), null, null, false, false, false, false);

		// then
		assertThat(ttlDryRun.getExecutionContext().getLong("ttl.fixedMissing")).isEqualTo(3);
		assertThat(purgeDryRun.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(missingAfterDryRuns).isEqualTo(missingBefore);
		assertThat(purgedAfterDryRuns).isEqualTo(purgedBefore);
		assertThat(ttl.getExecutionContext().getLong("ttl.fixedMissing")).isEqualTo(3);
		assertThat(ttl.getExecutionContext().getLong("ttl.capped")).isEqualTo(2);
		assertThat(gauge("workflowkeeper.ttl.fixed", "kind:missing") - missingBefore).isEqualTo(3.0);
		assertThat(gauge("workflowkeeper.ttl.fixed", "kind:capped") - cappedBefore).isEqualTo(2.0);
		assertThat(purge.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(purge.getExecutionContext().getLong("purge.deleted")).isEqualTo(2);
		assertThat(gauge("workflowkeeper.states.purged") - purgedBefore).isEqualTo(2.0);
	}

	@Test
	void shouldTimeSpringBatchJobsAndSteps() throws Exception {
		// given
		try (Jedis jedis = jedis()) {
			SampleStates.load(jedis, SampleStates.states(3), 3600);
		}

		// when
		this.reportJob.run(redis.uri(), false);

		// then
		JsonNode job = OpsHttp
			.json(this.http.get("/actuator/metrics/spring.batch.job?tag=spring.batch.job.name:reportMemoryJob", "admin",
					ADMIN_PASSWORD));
		assertThat(measurement(job, "COUNT")).isGreaterThanOrEqualTo(1.0);
		JsonNode step = OpsHttp
			.json(this.http.get("/actuator/metrics/spring.batch.step?tag=spring.batch.step.name:reportScanStep",
					"admin", ADMIN_PASSWORD));
		assertThat(measurement(step, "COUNT")).isGreaterThanOrEqualTo(1.0);
	}

	@Test
	void shouldServeThePrometheusScrapeToTheOperatorOnly() throws Exception {
		// given
		try (Jedis jedis = jedis()) {
			SampleStates.load(jedis, SampleStates.states(4), 3600);
		}
		this.reportJob.run(redis.uri(), true);

		// when
		HttpResponse<String> anyone = this.http.get("/actuator/prometheus");
		HttpResponse<String> metricsToAnyone = this.http.get("/actuator/metrics");
		HttpResponse<String> operator = this.http.get("/actuator/prometheus", "admin", ADMIN_PASSWORD);

		// then
		assertThat(anyone.statusCode()).isEqualTo(401);
		assertThat(metricsToAnyone.statusCode()).isEqualTo(401);
		assertThat(operator.statusCode()).isEqualTo(200);
		String store = "store=\"" + redis.uri() + "\"";
		assertThat(operator.body()).contains("workflowkeeper_report_keys{" + store + "} 4.0",
				"workflowkeeper_report_memory_bytes{" + store + "} ",
				"workflowkeeper_report_keys_without_ttl{" + store + "} 0.0",
				"workflowkeeper_report_stale_keys{" + store + "} 0.0",
				"workflowkeeper_report_status_keys{status=\"processing\"," + store + "} 1.0",
				"workflowkeeper_report_status_bytes{status=\"completed\"," + store + "}",
				"workflowkeeper_ttl_fixed_total{kind=\"missing\"}", "workflowkeeper_ttl_fixed_total{kind=\"capped\"}",
				"workflowkeeper_states_purged_total", "spring_batch_job_seconds_count");
	}

	/** The tag of the Redis store's series. */
	private static String redisStore() {
		return "store:" + redis.uri();
	}

	private int status(String path) {
		return this.http.get(path, "admin", ADMIN_PASSWORD).statusCode();
	}

	private double gauge(String name, String... tags) {
		StringBuilder path = new StringBuilder("/actuator/metrics/" + name);
		for (int i = 0; i < tags.length; i++) {
			path.append((i == 0) ? '?' : '&').append("tag=").append(tags[i]);
		}
		HttpResponse<String> response = this.http.get(path.toString(), "admin", ADMIN_PASSWORD);
		assertThat(response.statusCode()).as(path.toString()).isEqualTo(200);
		JsonNode body = OpsHttp.json(response);
		return measurement(body, body.get("measurements").get(0).get("statistic").asString());
	}

	private static double measurement(JsonNode body, String statistic) {
		List<String> seen = new ArrayList<>();
		for (JsonNode measurement : body.get("measurements")) {
			seen.add(measurement.get("statistic").asString());
			if (measurement.get("statistic").asString().equals(statistic)) {
				return measurement.get("value").asDouble();
			}
		}
		throw new AssertionError("no " + statistic + " among " + seen + " in " + body);
	}

	private static double number(Object value) {
		return ((Number) value).doubleValue();
	}

	private static Jedis jedis() {
		return new Jedis("127.0.0.1", redis.port());
	}

}
