package dev.workflowkeeper.ops;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import dev.workflowkeeper.scheduling.JobSchedule;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.ttl.EnforceTtlJob;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The health of a running worker whose default store is a real Redis with a password,
 * with a schedule: the components and groups the operator sees, what everyone else sees,
 * and how the health follows Redis going away and a scheduled run failing.
 */
// closed before the temporary data folder is deleted, so that no H2 file appears while it
// goes
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class HealthIntegrationTests {

	static final String ADMIN_PASSWORD = "op-secret-health";

	static final String REDIS_PASSWORD = "redis-secret-health";

	@TempDir
	static Path tmp;

	static RedisServerProcess redis;

	@LocalServerPort
	int port;

	@Autowired
	JobRepository jobRepository;

	OpsHttp http;

	@BeforeAll
	static void startRedis() {
		redis = RedisServerProcess.start(Version.DEFAULT, "--requirepass", REDIS_PASSWORD);
	}

	@AfterAll
	static void stopRedis() {
		redis.close();
	}

	@DynamicPropertySource
	static void worker(DynamicPropertyRegistry registry) throws Exception {
		OpsEndpointsIntegrationTests.workerIn(registry, tmp);
		registry.add("keeper.ops.admin-password", () -> ADMIN_PASSWORD);
		registry.add("keeper.redis.use-redis", () -> "true");
		registry.add("keeper.redis.url", () -> "redis://:" + REDIS_PASSWORD + "@127.0.0.1:" + redis.port() + "/0");
		// One schedule whose slot does not come during the test: daily at 04:00 UTC.
		Path jobs = Files.createDirectories(tmp.resolve("jobs"));
		Files.writeString(jobs.resolve("enforce-ttl.yml"),
				"job: enforceTtlJob\nschedule: \"0 0 4 * * *\"\nzone: UTC\n");
		registry.add("keeper.scheduling.enabled", () -> "true");
		registry.add("keeper.scheduling.jobs-dir", jobs::toString);
	}

	@BeforeEach
	void setUp() {
		this.http = new OpsHttp(this.port);
	}

	@Test
	void shouldShowTheRedisVersionAndRoleToTheOperatorOnly() {
		// when
		JsonNode operator = OpsHttp.json(this.http.get("/actuator/health", "admin", ADMIN_PASSWORD));
		HttpResponse<String> anyone = this.http.get("/actuator/health");

		// then
		JsonNode redisHealth = operator.get("components").get("redis");
		assertThat(redisHealth.get("status").asString()).isEqualTo("UP");
		assertThat(redisHealth.get("details").get("version").asString()).matches("\\d+\\.\\d+.*");
		assertThat(redisHealth.get("details").get("role").asString()).isEqualTo("master");
		assertThat(redisHealth.get("details").get("store").asString())
			.isEqualTo("redis://:****@127.0.0.1:" + redis.port() + "/0");
		assertThat(operator.get("components").get("db").get("status").asString()).isEqualTo("UP");
		assertThat(anyone.statusCode()).isEqualTo(200);
		assertThat(OpsHttp.json(anyone).get("status").asString()).isEqualTo("UP");
		assertThat(OpsHttp.json(anyone).has("components")).isFalse();
		assertThat(anyone.body()).doesNotContain("redis", "version");
	}

	@Test
	void shouldGroupLivenessAndReadiness() {
		// when
		JsonNode liveness = OpsHttp.json(this.http.get("/actuator/health/liveness", "admin", ADMIN_PASSWORD));
		JsonNode readiness = OpsHttp.json(this.http.get("/actuator/health/readiness", "admin", ADMIN_PASSWORD));

		// then
		assertThat(names(liveness.get("components"))).containsExactly("livenessState");
		assertThat(names(readiness.get("components"))).containsExactlyInAnyOrder("readinessState", "history", "redis");
		assertThat(readiness.get("status").asString()).isEqualTo("UP");
	}

	@Test
	void shouldReportRedisDownInOneLineWhileItIsAwayAndUpAgainWhenItIsBack() {
		try {
			// given
			redis.kill();

			// when
			HttpResponse<String> health = this.http.get("/actuator/health", "admin", ADMIN_PASSWORD);
			HttpResponse<String> readiness = this.http.get("/actuator/health/readiness", "admin", ADMIN_PASSWORD);
			HttpResponse<String> liveness = this.http.get("/actuator/health/liveness");

			// then
			assertThat(health.statusCode()).isEqualTo(503);
			JsonNode redisHealth = OpsHttp.json(health).get("components").get("redis");
			assertThat(redisHealth.get("status").asString()).isEqualTo("DOWN");
			assertThat(redisHealth.get("details").get("error").asString()).contains("127.0.0.1:" + redis.port())
				.doesNotContain("\n", "\tat ");
			assertThat(readiness.statusCode()).isEqualTo(503);
			assertThat(liveness.statusCode()).isEqualTo(200);
			assertThat(health.body() + readiness.body()).doesNotContain(REDIS_PASSWORD, ADMIN_PASSWORD);
		}
		finally {
			redis.restart();
		}
		JsonNode back = OpsHttp.json(this.http.get("/actuator/health/readiness", "admin", ADMIN_PASSWORD));
		assertThat(back.get("components").get("redis").get("status").asString()).isEqualTo("UP");
	}

	@Test
	void shouldReportTheScheduledJobsDownAfterAFailedRunButKeepTheWorkerLiveAndReady() {
		// given the job's schedule, UP while it has not failed
		JsonNode before = OpsHttp.json(this.http.get("/actuator/health", "admin", ADMIN_PASSWORD))
			.get("components")
			.get("workflowJobs");
		assertThat(before.get("status").asString()).isEqualTo("UP");
		assertThat(before.get("details").get("jobs").get(EnforceTtlJob.NAME).get("nextFireTime").asString())
			.endsWith("T04:00:00Z");
		Instant slot = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(60);
		long failed = record(slot, BatchStatus.FAILED);

		try {
			// when
			HttpResponse<String> health = this.http.get("/actuator/health", "admin", ADMIN_PASSWORD);
			HttpResponse<String> liveness = this.http.get("/actuator/health/liveness", "admin", ADMIN_PASSWORD);
			HttpResponse<String> readiness = this.http.get("/actuator/health/readiness", "admin", ADMIN_PASSWORD);

			// then
			assertThat(health.statusCode()).isEqualTo(503);
			JsonNode jobs = OpsHttp.json(health).get("components").get("workflowJobs");
			assertThat(jobs.get("status").asString()).isEqualTo("DOWN");
			JsonNode job = jobs.get("details").get("jobs").get(EnforceTtlJob.NAME);
			assertThat(job.get("lastStatus").asString()).isEqualTo("FAILED");
			assertThat(job.get("lastExecution").asLong()).isEqualTo(failed);
			assertThat(job.get("problem").asString()).contains("failed");
			assertThat(liveness.statusCode()).isEqualTo(200);
			assertThat(readiness.statusCode()).isEqualTo(200);
		}
		finally {
			// the next slot's run completes
			record(slot.plusSeconds(30), BatchStatus.COMPLETED);
		}
		JsonNode after = OpsHttp.json(this.http.get("/actuator/health", "admin", ADMIN_PASSWORD));
		assertThat(after.get("components").get("workflowJobs").get("status").asString()).isEqualTo("UP");
	}

	/**
	 * Writes an ended run of an enforceTtlJob slot into the history, as the timer's run
	 * leaves it.
	 */
	private long record(Instant slot, BatchStatus status) {
		JobParameters parameters = new JobParametersBuilder().addString(JobSchedule.SLOT, slot.toString(), true)
			.addString("dryRun", "false", false)
			.toJobParameters();
		JobInstance instance = this.jobRepository.createJobInstance(EnforceTtlJob.NAME, parameters);
		JobExecution execution = this.jobRepository.createJobExecution(instance, parameters, new ExecutionContext());
		execution.setStartTime(LocalDateTime.now());
		execution.setEndTime(LocalDateTime.now());
		execution.setStatus(status);
		execution.setExitStatus(new ExitStatus(status.name()));
		this.jobRepository.update(execution);
		return execution.getId();
	}

	private static List<String> names(JsonNode components) {
		List<String> names = new ArrayList<>();
		components.propertyNames().forEach(names::add);
		return names;
	}

}
