package dev.workflowkeeper.ops;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.generate.GenerateJob;
import dev.workflowkeeper.report.ReportJob;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operations endpoints of a running worker with an operator password: who gets in,
 * and what the operator sees after real jobs ran — without a password ever in a response.
 */
// closed before the temporary data folder is deleted, so that no H2 file appears while it
// goes
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class OpsEndpointsIntegrationTests {

	static final String ADMIN_PASSWORD = "op-secret-4711";

	static final String REDIS_PASSWORD = "redis-secret-0815";

	static final List<String> PROTECTED = List.of("/actuator", "/actuator/workflowjobs",
			"/actuator/workflowjobs/generateStatesJob", "/actuator/workflowjobs/executions/1",
			"/actuator/workflowreport", "/actuator/metrics", "/actuator/metrics/workflowkeeper.report.keys",
			"/actuator/prometheus", "/");

	@TempDir
	static Path tmp;

	static RedisServerProcess redis;

	@LocalServerPort
	int port;

	@Autowired
	GenerateJob generateJob;

	@Autowired
	ReportJob reportJob;

	@Autowired
	JobOperator jobOperator;

	@Autowired
	JobRepository jobRepository;

	@Autowired
	@Qualifier("generateStatesJob")
	Job generateStatesJob;

	OpsHttp http;

	@DynamicPropertySource
	static void worker(DynamicPropertyRegistry registry) {
		workerIn(registry, tmp);
		registry.add("keeper.ops.admin-password", () -> ADMIN_PASSWORD);
	}

	static void workerIn(DynamicPropertyRegistry registry, Path dir) {
		registry.add("keeper.data-dir", () -> dir.resolve("data").toString());
		registry.add("spring.datasource.url",
				() -> "jdbc:h2:file:" + dir.resolve("data").toAbsolutePath().resolve("history") + ";AUTO_SERVER=TRUE");
		registry.add("keeper.scheduling.enabled", () -> "false");
	}

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.start(Version.DEFAULT, "--requirepass", REDIS_PASSWORD);
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@BeforeEach
	void setUp() {
		this.http = new OpsHttp(this.port);
	}

	@Test
	void shouldOpenHealthAndInfoToEveryone() {
		assertThat(this.http.get("/actuator/health").statusCode()).isEqualTo(200);
		assertThat(this.http.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
		assertThat(this.http.get("/actuator/info").statusCode()).isEqualTo(200);
	}

	@Test
	void shouldRefuseEverythingElseWithoutTheOperatorsCredentials() {
		for (String path : PROTECTED) {
			assertThat(this.http.get(path).statusCode()).as(path).isEqualTo(401);
			assertThat(this.http.get(path, "admin", "wrong").statusCode()).as(path).isEqualTo(401);
			assertThat(this.http.get(path, "someone", ADMIN_PASSWORD).statusCode()).as(path).isEqualTo(401);
		}
	}

	@Test
	void shouldListEveryJobWithItsLatestExecutions() throws Exception {
		// given
		JobExecution generated = this.generateJob.run(StoreUri.parse("memory:"), 20, 7, false,
				System.currentTimeMillis());
		assertThat(generated.getStatus()).isEqualTo(BatchStatus.COMPLETED);

		// when
		HttpResponse<String> response = this.http.get("/actuator/workflowjobs", "admin", ADMIN_PASSWORD);

		// then
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = OpsHttp.json(response);
		assertThat(body.get("schedulingEnabled").asBoolean()).isFalse();
		List<String> names = new ArrayList<>();
		body.get("jobs").forEach((job) -> names.add(job.get("name").asString()));
		assertThat(names).contains("migrateStatesJob", "reportMemoryJob", "enforceTtlJob", "purgeStatesJob",
				"pruneHistoryJob", "generateStatesJob");
		JsonNode generate = job(body, "generateStatesJob");
		assertThat(generate.get("schedule").get("scheduled").asBoolean()).isFalse();
		assertThat(generate.get("executions").size()).isBetween(1, WorkflowJobsEndpoint.RECENT);
		JsonNode latest = generate.get("executions").get(0);
		assertThat(latest.get("id").asLong()).isEqualTo(generated.getId());
		assertThat(latest.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(latest.get("exitCode").asString()).isEqualTo("COMPLETED");
		assertThat(latest.get("read").asLong()).isEqualTo(20);
		assertThat(latest.get("written").asLong()).isEqualTo(20);
		assertThat(latest.get("skipped").asLong()).isZero();
		assertThat(latest.get("start").asString()).isNotBlank();
		assertThat(latest.get("durationMillis").asLong()).isNotNegative();
		assertThat(generate.get("schedule").properties()).extracting(Map.Entry::getKey).containsExactly("scheduled");
		assertThat(latest.has("parameters") || latest.has("steps") || latest.has("rejectsFile")).isFalse();
	}

	@Test
	void shouldPageOneJobsHistoryNewestFirst() throws Exception {
		// given
		JobExecution first = this.generateJob.run(StoreUri.parse("memory:"), 20, 11, false, System.currentTimeMillis());
		JobExecution second = this.generateJob.run(StoreUri.parse("memory:"), 20, 12, false,
				System.currentTimeMillis());

		// when
		JsonNode page0 = OpsHttp
			.json(this.http.get("/actuator/workflowjobs/generateStatesJob?page=0&size=1", "admin", ADMIN_PASSWORD));
		JsonNode page1 = OpsHttp
			.json(this.http.get("/actuator/workflowjobs/generateStatesJob?page=1&size=1", "admin", ADMIN_PASSWORD));

		// then
		assertThat(page0.get("name").asString()).isEqualTo("generateStatesJob");
		assertThat(page0.get("total").asLong()).isGreaterThanOrEqualTo(2);
		assertThat(page0.get("executions").size()).isEqualTo(1);
		assertThat(page0.get("executions").get(0).get("id").asLong()).isEqualTo(second.getId());
		assertThat(page1.get("executions").get(0).get("id").asLong()).isEqualTo(first.getId());
	}

	@Test
	void shouldShowOneExecutionWithItsStepsParametersAndFigures() throws Exception {
		// given
		JobExecution generated = this.generateJob.run(StoreUri.parse("memory:"), 20, 21, false,
				System.currentTimeMillis());

		// when
		HttpResponse<String> response = this.http.get("/actuator/workflowjobs/executions/" + generated.getId(), "admin",
				ADMIN_PASSWORD);

		// then
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = OpsHttp.json(response);
		assertThat(body.get("id").asLong()).isEqualTo(generated.getId());
		assertThat(body.get("job").asString()).isEqualTo("generateStatesJob");
		assertThat(body.get("parameters").get("to").asString()).isEqualTo("memory:");
		assertThat(body.get("parameters").get("count").asString()).isEqualTo("20");
		assertThat(body.get("steps").size()).isGreaterThanOrEqualTo(1);
		JsonNode step = body.get("steps").get(0);
		assertThat(step.get("name").asString()).isNotBlank();
		assertThat(step.get("status").asString()).isEqualTo("COMPLETED");
		assertThat(step.get("written").asLong()).isEqualTo(20);
		assertThat(body.has("figures")).isTrue();
		assertThat(body.has("rejectsFile")).isFalse();
	}

	@Test
	void shouldShowARunningExecutionWithoutAnEnd() {
		// given an execution that started and has not ended
		JobParameters parameters = new JobParametersBuilder().addString("store", "memory:")
			.addLong("run", System.nanoTime())
			.toJobParameters();
		JobInstance instance = this.jobRepository.createJobInstance("purgeStatesJob", parameters);
		JobExecution running = this.jobRepository.createJobExecution(instance, parameters, new ExecutionContext());
		running.setStartTime(LocalDateTime.now());
		running.setStatus(BatchStatus.STARTED);
		this.jobRepository.update(running);

		// when
		JsonNode list = OpsHttp.json(this.http.get("/actuator/workflowjobs", "admin", ADMIN_PASSWORD));
		JsonNode one = OpsHttp
			.json(this.http.get("/actuator/workflowjobs/executions/" + running.getId(), "admin", ADMIN_PASSWORD));

		// then the end is there, and null
		JsonNode listed = job(list, "purgeStatesJob").get("executions").get(0);
		assertThat(listed.get("id").asLong()).isEqualTo(running.getId());
		assertThat(listed.get("status").asString()).isEqualTo("STARTED");
		assertThat(listed.has("end")).isTrue();
		assertThat(listed.get("end").isNull()).isTrue();
		assertThat(listed.get("durationMillis").asLong()).isNotNegative();
		assertThat(one.has("end")).isTrue();
		assertThat(one.get("end").isNull()).isTrue();
		assertThat(one.get("steps").isEmpty()).isTrue();
		assertThat(one.get("parameters").get("store").asString()).isEqualTo("memory:");
	}

	@Test
	void shouldAnswer404WithAnErrorForAnUnknownJobOrExecution() {
		Map<String, String> refusals = Map.of("/actuator/workflowjobs/noSuchJob", "no job named 'noSuchJob'",
				"/actuator/workflowjobs/executions/987654321", "no job execution with id '987654321'",
				"/actuator/workflowjobs/executions/not-a-number", "no job execution with id 'not-a-number'",
				"/actuator/workflowjobs/elsewhere/1", "unknown path 'elsewhere/1'");
		refusals.forEach((path, message) -> {
			HttpResponse<String> response = this.http.get(path, "admin", ADMIN_PASSWORD);
			assertThat(response.statusCode()).as(path).isEqualTo(404);
			assertNotFound(OpsHttp.json(response), message);
			assertThat(response.body()).as(path).doesNotContain("Exception", "\tat ");
		});
	}

	@Test
	void shouldShowTheLatestReportWithItsTrendOnceOneExists() throws Exception {
		// given no report yet: 404
		HttpResponse<String> none = this.http.get("/actuator/workflowreport", "admin", ADMIN_PASSWORD);
		assertThat(none.statusCode()).isEqualTo(404);
		assertNotFound(OpsHttp.json(none), "no memory report of memory: yet");
		this.generateJob.run(StoreUri.parse("memory:"), 20, 31, false, System.currentTimeMillis());

		// when
		JobExecution report = this.reportJob.run("memory:", true);
		this.reportJob.run("memory:", false);
		HttpResponse<String> response = this.http.get("/actuator/workflowreport", "admin", ADMIN_PASSWORD);

		// then
		assertThat(report.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(response.statusCode()).isEqualTo(200);
		JsonNode body = OpsHttp.json(response);
		assertThat(body.get("report").get("store").asString()).isEqualTo("memory:");
		assertThat(body.get("store").asString()).isEqualTo("memory:");
		assertThat(body.get("defaultStore").asBoolean()).isTrue();
		assertThat(body.get("trend").size()).isGreaterThanOrEqualTo(2);
		// the latest report read no values: what only they give is unknown, not 0
		assertThat(body.get("report").get("values").asBoolean()).isFalse();
		assertThat(body.get("report").get("staleKeys").isNull()).isTrue();
		assertThat(body.get("report").get("byStatus").isNull()).isTrue();
		JsonNode point = body.get("trend").get(body.get("trend").size() - 1);
		assertThat(point.get("keys").asLong()).isPositive();
		assertThat(point.get("at").asString()).isNotBlank();
	}

	@Test
	void shouldShowAnotherStoresReportOnlyWhenAskedForWithoutItsPassword() throws Exception {
		// given a report of a Redis with a password, which is not the worker's default
		// store
		// (memory:)
		String address = "redis://:" + REDIS_PASSWORD + "@127.0.0.1:" + redis.port() + "/0";
		String masked = "redis://:****@127.0.0.1:" + redis.port() + "/0";
		assertThat(this.generateJob.run(StoreUri.parse(address), 15, 43, false, System.currentTimeMillis()).getStatus())
			.isEqualTo(BatchStatus.COMPLETED);
		JobExecution report = this.reportJob.run(address, true);
		assertThat(report.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		long keys = ((Number) ReportJob.report(report).get("keys")).longValue();

		// when
		HttpResponse<String> byDefault = this.http.get("/actuator/workflowreport", "admin", ADMIN_PASSWORD);
		HttpResponse<String> byMasked = this.http.get("/actuator/workflowreport?store=" + encode(masked), "admin",
				ADMIN_PASSWORD);
		HttpResponse<String> byAddress = this.http.get("/actuator/workflowreport?store=" + encode(address), "admin",
				ADMIN_PASSWORD);
		HttpResponse<String> none = this.http.get("/actuator/workflowreport?store=" + encode("redis://127.0.0.1:1/0"),
				"admin", ADMIN_PASSWORD);

		// then the default store's report, or none, never the other store's
		if (byDefault.statusCode() == 200) {
			assertThat(OpsHttp.json(byDefault).get("store").asString()).isEqualTo("memory:");
			assertThat(OpsHttp.json(byDefault).get("report").get("store").asString()).isEqualTo("memory:");
		}
		else {
			assertThat(byDefault.statusCode()).isEqualTo(404);
			assertNotFound(OpsHttp.json(byDefault), "no memory report of memory: yet");
			assertThat(OpsHttp.json(byDefault).get("message").asString()).contains(masked);
		}
		for (HttpResponse<String> asked : List.of(byMasked, byAddress)) {
			assertThat(asked.statusCode()).isEqualTo(200);
			JsonNode body = OpsHttp.json(asked);
			assertThat(body.get("store").asString()).isEqualTo(masked);
			assertThat(body.get("defaultStore").asBoolean()).isFalse();
			assertThat(body.get("report").get("keys").asLong()).isEqualTo(keys);
		}
		assertThat(none.statusCode()).isEqualTo(404);
		assertNotFound(OpsHttp.json(none), "no memory report of redis://127.0.0.1:1/0 yet");
		assertThat(OpsHttp.json(none).get("message").asString()).contains("stores with reports: ").contains(masked);
		for (HttpResponse<String> response : List.of(byDefault, byMasked, byAddress, none)) {
			assertThat(response.body()).doesNotContain(REDIS_PASSWORD);
		}
	}

	private static String encode(String value) {
		return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8);
	}

	@Test
	void shouldNeverShowAPassword() throws Exception {
		// given a job on a Redis with a password, and a failed one whose stored parameter
		// was not masked
		String address = "redis://:" + REDIS_PASSWORD + "@127.0.0.1:" + redis.port() + "/0";
		JobExecution generated = this.generateJob.run(StoreUri.parse(address), 20, 41, false,
				System.currentTimeMillis());
		assertThat(generated.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		JobExecution failed = this.jobOperator.start(this.generateStatesJob,
				new JobParametersBuilder().addString("to", "redis://:" + REDIS_PASSWORD + "@127.0.0.1:1/0")
					.addLong("count", 5L)
					.addLong("seed", 1L)
					.addString("map", "false")
					.addLong("now", System.currentTimeMillis(), false)
					.toJobParameters());
		assertThat(failed.getStatus()).isEqualTo(BatchStatus.FAILED);

		// when
		List<String> bodies = new ArrayList<>();
		for (String path : List.of("/actuator/workflowjobs", "/actuator/workflowjobs/generateStatesJob?size=100",
				"/actuator/workflowjobs/executions/" + generated.getId(),
				"/actuator/workflowjobs/executions/" + failed.getId(), "/actuator/workflowreport", "/actuator/health",
				"/actuator/health/readiness", "/actuator/info", "/actuator/metrics", "/actuator/prometheus", "/")) {
			bodies.add(this.http.get(path, "admin", ADMIN_PASSWORD).body());
		}

		// then
		assertThat(bodies.get(3)).contains("****");
		assertThat(bodies).allSatisfy((body) -> assertThat(body).doesNotContain(REDIS_PASSWORD, ADMIN_PASSWORD));
	}

	private static void assertNotFound(JsonNode body, String message) {
		assertThat(body.properties()).extracting(Map.Entry::getKey).containsExactly("status", "error", "message");
		assertThat(body.get("status").asInt()).isEqualTo(404);
		assertThat(body.get("error").asString()).isEqualTo("Not Found");
		assertThat(body.get("message").asString()).contains(message);
	}

	private static JsonNode job(JsonNode body, String name) {
		for (JsonNode job : body.get("jobs")) {
			if (job.get("name").asString().equals(name)) {
				return job;
			}
		}
		throw new AssertionError("no job " + name + " in " + body);
	}

}
