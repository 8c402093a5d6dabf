package dev.workflowkeeper.ops;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.batch.JobOwnerListener;
import dev.workflowkeeper.batch.WorkerRegistry;
import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.job.JobDefinitions;
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
import tools.jackson.databind.JsonNode;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationContext;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Job control over the actuator ({@code POST /actuator/workflowjobs/…}) and from the
 * command line ({@code history stop|restart|abandon}), on a running worker with real jobs
 * against a real Redis.
 */
// closed before the temporary data folder is deleted, so that no H2 file appears while it
// goes
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class JobControlIntegrationTests {

	static final String ADMIN_PASSWORD = "op-secret-4711";

	static final String REDIS_PASSWORD = "redis-secret-0815";

	@TempDir
	static Path tmp;

	static RedisServerProcess redis;

	@LocalServerPort
	int port;

	@Autowired
	JobControl jobControl;

	@Autowired
	JobRepository jobRepository;

	@Autowired
	JobDefinitions definitions;

	@Autowired
	JobOperator jobOperator;

	@Autowired
	JobRunner jobRunner;

	@Autowired
	ApplicationContext applicationContext;

	@Autowired
	WorkerRegistry workerRegistry;

	HttpClient client = HttpClient.newHttpClient();

	@DynamicPropertySource
	static void worker(DynamicPropertyRegistry registry) {
		OpsEndpointsIntegrationTests.workerIn(registry, tmp);
		registry.add("keeper.ops.admin-password", () -> ADMIN_PASSWORD);
		// Small chunks: a long generation stops within a moment of being asked.
		registry.add("keeper.migration.chunk-size", () -> "100");
		// No heartbeat settles an execution nobody runs before a test acts on it.
		registry.add("keeper.workers.heartbeat-interval", () -> "10m");
		registry.add("keeper.workers.takeover-after", () -> "30m");
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
	void emptyRedis() {
		try (Jedis jedis = jedis()) {
			jedis.flushAll();
		}
	}

	@Test
	void shouldLaunchAJobInTheBackgroundWithTheOptionsOfTheBody() throws Exception {
		// when
		HttpResponse<String> response = post("/actuator/workflowjobs/generateStatesJob",
				"{\"to\": \"" + store() + "\", \"count\": 500, \"seed\": \"3\", \"map\": false}");

		// then: answered at once with the execution, which completes in the background
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode body = OpsHttp.json(response);
		assertThat(body.get("job").asString()).isEqualTo("generateStatesJob");
		long id = body.get("executionId").asLong();
		JobExecution execution = this.jobControl.awaitEnd(id);
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(execution.getJobParameters().getLong("count")).isEqualTo(500L);
		assertThat(execution.getJobParameters().getLong("seed")).isEqualTo(3L);
		assertThat(execution.getJobParameters().getString("to")).doesNotContain(REDIS_PASSWORD).contains("****");
		try (Jedis jedis = jedis()) {
			assertThat(jedis.dbSize()).isEqualTo(500);
		}

		// and: the same body again is a new run (a new instance), not a refusal
		HttpResponse<String> again = post("/actuator/workflowjobs/generateStatesJob",
				"{\"to\": \"" + store() + "\", \"count\": 500, \"seed\": 3}");
		assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
		JobExecution second = this.jobControl.awaitEnd(OpsHttp.json(again).get("executionId").asLong());
		assertThat(second.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(second.getJobInstance().getId()).isNotEqualTo(execution.getJobInstance().getId());
	}

	@Test
	void shouldRecordTheOptionsWithTheNamesTypesAndDefaultsOfTheCommands() throws Exception {
		// when
		HttpResponse<String> ttl = post("/actuator/workflowjobs/enforceTtlJob",
				"{\"store\": \"memory:\", \"maxTtl\": \"48h\", \"dryRun\": true, \"maxRate\": 5000, "
						+ "\"latencyBudget\": \"2ms\"}");
		HttpResponse<String> purge = post("/actuator/workflowjobs/purgeStatesJob",
				"{\"store\": \"" + store() + "\", \"dryRun\": \"true\"}");

		// then
		assertThat(ttl.statusCode()).as(ttl.body()).isEqualTo(200);
		JobParameters ttlParameters = this.jobControl.awaitEnd(OpsHttp.json(ttl).get("executionId").asLong())
			.getJobParameters();
		assertThat(ttlParameters.getString("store")).isEqualTo("memory:");
		assertThat(ttlParameters.getLong("maxTtl")).isEqualTo(48 * 3600L);
		assertThat(ttlParameters.getString("dryRun")).isEqualTo("true");
		assertThat(ttlParameters.getString("fromAge")).isEqualTo("false");
		assertThat(ttlParameters.getLong("spread")).isEqualTo(3600L);
		assertThat(ttlParameters.getLong("maxRate")).isEqualTo(5000L);
		assertThat(ttlParameters.getString("latencyBudget")).isEqualTo("PT0.002S");
		assertThat(ttlParameters.getParameter("maxRate").identifying()).isFalse();
		assertThat(ttlParameters.getParameter("latencyBudget").identifying()).isFalse();
		HttpResponse<String> unspread = post("/actuator/workflowjobs/enforceTtlJob",
				"{\"store\": \"memory:\", \"spread\": 0, \"dryRun\": true}");
		assertThat(unspread.statusCode()).as(unspread.body()).isEqualTo(200);
		assertThat(this.jobControl.awaitEnd(OpsHttp.json(unspread).get("executionId").asLong())
			.getJobParameters()
			.getLong("spread")).isZero();
		assertThat(ttlParameters.getLong("run")).isPositive();
		assertThat(purge.statusCode()).as(purge.body()).isEqualTo(200);
		JobExecution purged = this.jobControl.awaitEnd(OpsHttp.json(purge).get("executionId").asLong());
		assertThat(purged.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		JobParameters purgeParameters = purged.getJobParameters();
		assertThat(purgeParameters.getString("store")).contains("****").doesNotContain(REDIS_PASSWORD);
		assertThat(purgeParameters.getLong("staleAfter")).isEqualTo(2 * 86400L);
		assertThat(purgeParameters.getLong("terminalRetention")).isEqualTo(86400L);
		assertThat(purgeParameters.getDouble("maxShare")).isEqualTo(0.5);
		assertThat(purgeParameters.getString("archive")).isEqualTo("true");
		assertThat(purgeParameters.getString("force")).isEqualTo("false");
		assertThat(purgeParameters.getString("dryRun")).isEqualTo("true");
		// the pace of keeper.redis.pace.* (the tests' own switch the budget off), not
		// identifying
		assertThat(purgeParameters.getLong("maxRate")).isZero();
		assertThat(purgeParameters.getString("latencyBudget")).isEqualTo("PT0S");
		assertThat(purgeParameters.getParameter("latencyBudget").identifying()).isFalse();
	}

	@Test
	void shouldStopAndRestartFromTheCommandLine() throws Exception {
		// given: a generation running in this worker
		HttpResponse<String> launched = post("/actuator/workflowjobs/generateStatesJob",
				"{\"to\": \"" + store() + "\", \"count\": 100000}");
		assertThat(launched.statusCode()).as(launched.body()).isEqualTo(200);
		long id = OpsHttp.json(launched).get("executionId").asLong();
		KeeperCli cli = new KeeperCli(tmp.resolve("data")).with("keeper.migration.chunk-size", 100);

		// when: stopped from another process's command line
		KeeperCli.Result stop = cli.run("history", "stop", Long.toString(id));

		// then
		assertThat(stop.exitCode()).as(stop.toString()).isZero();
		assertThat(stop.out()).containsPattern("generateStatesJob execution " + id + ": STOPP(ING|ED)");
		JobExecution stopped = this.jobControl.awaitEnd(id);
		assertThat(stopped.getStatus()).isEqualTo(BatchStatus.STOPPED);

		// when: restarted from the command line, which waits for the end (the password of
		// the store is
		// not known to that process: it is given by REDIS_URL there)
		KeeperCli.Result restart = cli.with("keeper.redis.url", store())
			.with("keeper.redis.use-redis", true)
			.run("history", "restart", Long.toString(id));

		// then
		assertThat(restart.exitCode()).as(restart.toString()).isZero();
		assertThat(restart.out()).contains("generateStatesJob: COMPLETED");
		assertThat(written(stopped) + written(this.jobRepository.getLastJobExecution(stopped.getJobInstance())))
			.isEqualTo(100000);
		try (Jedis jedis = jedis()) {
			assertThat(jedis.dbSize()).isEqualTo(100000);
		}
	}

	@Test
	void shouldRefuseUpFrontToRestartARunWhosePasswordThisWorkerWasNotGiven() throws Exception {
		// given: a failed generation into a store whose password another process had
		JobExecution failed = failedGeneration("redis://:****@127.0.0.1:1/0", 4711L);
		long before = countExecutions();

		// when
		HttpResponse<String> restart = post("/actuator/workflowjobs/executions/" + failed.getId() + "/restart", "");

		// then: one line that says how to supply it, and nothing ran
		assertRefused(restart, 400, "whose password this worker was not given");
		assertThat(countExecutions()).isEqualTo(before);
	}

	@Test
	void shouldTellARestartThatFailedAgainToRestartTheNewExecution() throws Exception {
		// given: a failed generation into a Redis that is still down
		JobExecution failed = failedGeneration("redis://127.0.0.1:1/0", 4712L);

		// when: restarted from the command line, and failing again
		KeeperCli.Result restart = new KeeperCli(tmp.resolve("data")).run("history", "restart",
				Long.toString(failed.getId()));

		// then: the advice names the new execution, not the command just refused for ever
		JobExecution again = this.jobRepository.getLastJobExecution(failed.getJobInstance());
		assertThat(again.getId()).isNotEqualTo(failed.getId());
		assertThat(restart.exitCode()).as(restart.toString()).isEqualTo(1);
		assertThat(restart.err().lines().filter((line) -> line.startsWith("error:"))).as(restart.toString())
			.singleElement()
			.asString()
			.endsWith("run 'history restart " + again.getId() + "' to resume from its last checkpoint");
	}

	@Test
	void shouldRefuseAGenerationItsTargetCannotTakeAsTheCommandDoesWithoutRecordingARun() throws Exception {
		// given
		long before = countExecutions();
		Files.createDirectories(tmp.resolve("a-directory"));

		// when: a snapshot target that is a directory, and more states than a Redis has
		// room for
		HttpResponse<String> directory = post("/actuator/workflowjobs/generateStatesJob",
				"{\"to\": \"snapshot:" + tmp.resolve("a-directory") + "\", \"count\": 10}");
		jedis().configSet("maxmemory", "50mb");
		HttpResponse<String> tooMany;
		try {
			tooMany = post("/actuator/workflowjobs/generateStatesJob",
					"{\"to\": \"" + store() + "\", \"count\": 1000000}");
		}
		finally {
			jedis().configSet("maxmemory", "0");
		}

		// then: refused up front in one line, and nothing recorded
		assertRefused(directory, 400, "is a directory");
		assertRefused(tooMany, 400, "1,000,000");
		assertThat(countExecutions()).isEqualTo(before);
	}

	@Test
	void shouldRefuseAMigrationThatWouldPushItsTargetIntoEvictionAsTheCommandDoesWithoutRecordingARun()
			throws Exception {
		// given: 50,000 states (some 17 MB in a Redis) and a target of 10 MB
		long before = countExecutions();
		Path states = SampleStates.writeMap(tmp.resolve("states.json"), SampleStates.states(50_000));
		jedis().configSet("maxmemory", "10mb");
		HttpResponse<String> refused;
		try {
			// when
			refused = post("/actuator/workflowjobs/migrateStatesJob",
					"{\"from\": \"snapshot:" + states + "\", \"to\": \"" + store() + "\"}");
		}
		finally {
			jedis().configSet("maxmemory", "0");
		}

		// then: refused up front in one line with the figures, nothing written or
		// recorded
		assertRefused(refused, 400, "would pass 90% of its maxmemory: it uses ");
		assertThat(OpsHttp.json(refused).get("message").asString()).contains("of 10.0 MiB and the migration adds about")
			.containsPattern("\\((4[5-9]|5[0-5]),\\d{3} states\\)");
		try (Jedis jedis = jedis()) {
			assertThat(jedis.dbSize()).isZero();
		}
		assertThat(countExecutions()).isEqualTo(before);
	}

	@Test
	void shouldRefuseUnknownJobsOptionsAndValuesInOneLine() {
		assertRefused(post("/actuator/workflowjobs/noSuchJob", "{}"), 404, "no job named 'noSuchJob'");
		// a body that is not JSON says so, and where it broke
		assertRefused(post("/actuator/workflowjobs/pruneHistoryJob", "{\"dryRun\": tru"), 400,
				"the body is not a JSON object (line 1, column");
		assertRefused(post("/actuator/workflowjobs/pruneHistoryJob", "dryRun=true"), 400,
				"the options must be one JSON object");
		assertRefused(post("/actuator/workflowjobs/reportMemoryJob", "{\"dryrun\": true}"), 400,
				"unknown option 'dryrun'");
		assertRefused(post("/actuator/workflowjobs/enforceTtlJob", "{\"maxTtl\": \"soon\"}"), 400,
				"maxTtl must be a positive duration");
		assertRefused(post("/actuator/workflowjobs/enforceTtlJob", "{\"dryRun\": \"maybe\"}"), 400,
				"dryRun must be true or false");
		// the job's own rules, as the commands apply them
		assertRefused(post("/actuator/workflowjobs/enforceTtlJob", "{\"maxTtl\": \"1h\"}"), 400,
				"shorter than the service's TTL");
		assertRefused(post("/actuator/workflowjobs/enforceTtlJob", "{\"spread\": \"13h\"}"), 400,
				"enforceTtlJob: option spread of 46800s is more than half the service's TTL of 86400s "
						+ "(WORKFLOW_STATE_TTL): a state could keep less than half of it; 0 spreads nothing");
		assertRefused(post("/actuator/workflowjobs/enforceTtlJob", "{\"spread\": \"-5m\"}"), 400,
				"enforceTtlJob: option spread must be a positive duration such as 90s, 48h, P2D or a number of "
						+ "seconds, or 0, not '-5m'");
		assertRefused(post("/actuator/workflowjobs/purgeStatesJob", "{\"dryRun\": null}"), 400,
				"purgeStatesJob: option dryRun must be true or false, not null");
		assertRefused(post("/actuator/workflowjobs/purgeStatesJob", "{\"maxShare\": 2}"), 400,
				"maxShare must be a share above 0 and at most 1");
		assertRefused(post("/actuator/workflowjobs/reportMemoryJob", "{\"sample\": 1.5}"), 400,
				"reportMemoryJob: option sample must be a share of the keyspace in (0, 1] such as 0.1 or 10%, "
						+ "or a whole number of keys such as 100000, not '1.5'");
		assertRefused(post("/actuator/workflowjobs/reportMemoryJob", "{\"sample\": 0}"), 400,
				"option sample must be a share of the keyspace");
		assertRefused(post("/actuator/workflowjobs/reportMemoryJob", "{\"store\": \"ftp://" + REDIS_PASSWORD + "@x\"}"),
				400, "store");
		assertRefused(post("/actuator/workflowjobs/migrateStatesJob", "{\"dryRun\": true}"), 400,
				"option from is required");
		// the pace, as every job that works a Redis reads it
		assertRefused(post("/actuator/workflowjobs/purgeStatesJob", "{\"maxRate\": -1}"), 400,
				"purgeStatesJob: option maxRate must be a whole number of keys a second, 0 (no limit) or more, "
						+ "not '-1'");
		assertRefused(post("/actuator/workflowjobs/reportMemoryJob", "{\"latencyBudget\": \"fast\"}"), 400,
				"reportMemoryJob: option latencyBudget must be a positive duration such as 90s, 48h, P2D or a "
						+ "number of seconds, or 0, not 'fast'");
		assertRefused(
				post("/actuator/workflowjobs/generateStatesJob",
						"{\"to\": \"memory:\", \"count\": 10, \"maxRate\": 1.5}"),
				400, "generateStatesJob: option maxRate must be a whole number");
		assertRefused(post("/actuator/workflowjobs/executions/abc/stop", ""), 404, "no job execution");
		assertRefused(post("/actuator/workflowjobs/executions/999999/stop", ""), 404,
				"no job execution with id 999999");
		assertRefused(post("/actuator/workflowjobs/executions/1/explode", ""), 404, "unknown action");
	}

	@Test
	void shouldRefuseASecondRunThenStopAndRestartTheFirstWithExactCounts() throws Exception {
		// given: a long generation running
		String body = "{\"to\": \"" + store() + "\", \"count\": 200000}";
		HttpResponse<String> launched = post("/actuator/workflowjobs/generateStatesJob", body);
		assertThat(launched.statusCode()).as(launched.body()).isEqualTo(200);
		long id = OpsHttp.json(launched).get("executionId").asLong();

		// when: launched again while it runs
		assertRefused(post("/actuator/workflowjobs/generateStatesJob", body), 409,
				"already running as execution " + id);

		// when: stopped
		HttpResponse<String> stop = post("/actuator/workflowjobs/executions/" + id + "/stop", "");
		assertThat(stop.statusCode()).as(stop.body()).isEqualTo(200);
		JobExecution stopped = this.jobControl.awaitEnd(id);

		// then: it ended STOPPED part-way, and a stopped execution cannot be stopped
		// again
		assertThat(stopped.getStatus()).isEqualTo(BatchStatus.STOPPED);
		long firstWritten = written(stopped);
		assertThat(firstWritten).isLessThan(200000);
		assertRefused(post("/actuator/workflowjobs/executions/" + id + "/stop", ""), 409, "not running");

		// when: restarted
		HttpResponse<String> restart = post("/actuator/workflowjobs/executions/" + id + "/restart", "");
		assertThat(restart.statusCode()).as(restart.body()).isEqualTo(200);
		long restartedId = OpsHttp.json(restart).get("executionId").asLong();
		JobExecution restarted = this.jobControl.awaitEnd(restartedId);

		// then: it resumed where it stopped and completed the rest, exactly
		assertThat(restartedId).isNotEqualTo(id);
		assertThat(restarted.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(restarted.getJobInstance().getId()).isEqualTo(stopped.getJobInstance().getId());
		assertThat(firstWritten + written(restarted)).isEqualTo(200000);
		try (Jedis jedis = jedis()) {
			assertThat(jedis.dbSize()).isEqualTo(200000);
		}
		assertRefused(post("/actuator/workflowjobs/executions/" + restartedId + "/restart", ""), 409,
				"only a FAILED or STOPPED execution can be restarted");
		assertRefused(post("/actuator/workflowjobs/executions/" + id + "/restart", ""), 409, "already restarted");
		assertRefused(post("/actuator/workflowjobs/executions/" + id + "/abandon", ""), 409,
				"was already restarted as execution " + restartedId);
	}

	@Test
	void shouldStopAndAbandonExecutionsThatNobodyRunsSoThatANewRunStarts() throws Exception {
		// given: reportMemoryJob left STARTED by a process that is gone, and another
		// naming this live worker with no job thread of it behind (one that gave up
		// while the history was unreachable)
		long gone = leftStarted(deadPid(), null);
		long stuck = leftStarted(ProcessHandle.current().pid(), this.workerRegistry.id());

		// when: the gone one is abandoned over HTTP; the stuck one is stopped over HTTP,
		// then abandoned from the command line
		HttpResponse<String> abandon = post("/actuator/workflowjobs/executions/" + gone + "/abandon", "");
		HttpResponse<String> stop = post("/actuator/workflowjobs/executions/" + stuck + "/stop", "");
		BatchStatus stopped = this.jobRepository.getJobExecution(stuck).getStatus();
		KeeperCli cli = new KeeperCli(tmp.resolve("data"));
		KeeperCli.Result result = cli.run("history", "abandon", Long.toString(stuck));

		// then
		assertThat(abandon.statusCode()).as(abandon.body()).isEqualTo(200);
		assertThat(OpsHttp.json(abandon).get("status").asString()).isEqualTo("ABANDONED");
		assertThat(this.jobRepository.getJobExecution(gone).getStatus()).isEqualTo(BatchStatus.ABANDONED);
		assertThat(stop.statusCode()).as(stop.body()).isEqualTo(200);
		assertThat(stopped).isEqualTo(BatchStatus.STOPPED);
		assertThat(result.exitCode()).as(result.toString()).isZero();
		assertThat(result.out()).contains("ABANDONED (was STOPPED)");
		assertThat(this.jobRepository.getJobExecution(stuck).getStatus()).isEqualTo(BatchStatus.ABANDONED);
		KeeperCli.Result again = cli.run("history", "abandon", Long.toString(stuck));
		assertThat(again.exitCode()).as(again.toString()).isEqualTo(1);
		assertThat(again.err()).startsWith("error: execution " + stuck + " is ABANDONED: nothing to abandon");
		KeeperCli.Result unknown = cli.run("history", "stop", "999999");
		assertThat(unknown.exitCode()).as(unknown.toString()).isEqualTo(2);

		// and: a new run of the job starts and completes
		HttpResponse<String> launched = post("/actuator/workflowjobs/reportMemoryJob", "{\"store\": \"memory:\"}");
		assertThat(launched.statusCode()).as(launched.body()).isEqualTo(200);
		JobExecution run = this.jobControl.awaitEnd(OpsHttp.json(launched).get("executionId").asLong());
		assertThat(run.getStatus()).isEqualTo(BatchStatus.COMPLETED);
	}

	@Test
	void shouldRefuseAPaceTheRulesRefuseEvenWhenStartedStraightThroughTheJobOperator() throws Exception {
		for (Map.Entry<String, Map<String, Object>> job : redisJobs().entrySet()) {
			// given: the parameters of a launch, but for a pace no launch path lets
			// through
			JobParameters valid = this.definitions.parameters(job.getKey(), job.getValue());
			JobParameters negativeRate = new JobParametersBuilder(valid).addLong("maxRate", -1L, false)
				.addLong("run", System.nanoTime())
				.toJobParameters();
			JobParameters unreadableBudget = new JobParametersBuilder(valid).addString("latencyBudget", "soon", false)
				.addLong("run", System.nanoTime())
				.toJobParameters();
			Job bean = this.applicationContext.getBean(job.getKey(), Job.class);
			int before = this.jobRepository.getJobInstances(job.getKey(), 0, 1000).size();

			// when, then: the job's own validator refuses both, naming the job
			assertThatExceptionOfType(InvalidJobParametersException.class).as(job.getKey())
				.isThrownBy(() -> this.jobOperator.start(bean, negativeRate))
				.withMessage(job.getKey()
						+ ": parameter maxRate must be a whole number of keys a second, 0 (no limit) or more, not '-1'");
			assertThatExceptionOfType(InvalidJobParametersException.class).as(job.getKey())
				.isThrownBy(() -> this.jobOperator.start(bean, unreadableBudget))
				.withMessage(job.getKey() + ": parameter latencyBudget must be a positive duration such as 90s, 48h, "
						+ "P2D or a number of seconds, or 0, not 'soon'");
			// (Spring Batch records the instance before it validates; no execution ran)
			List<JobInstance> instances = this.jobRepository.getJobInstances(job.getKey(), 0, 1000);
			assertThat(instances.subList(0, instances.size() - before)).as(job.getKey())
				.allSatisfy((instance) -> assertThat(this.jobRepository.getJobExecutions(instance)).isEmpty());
		}
	}

	@Test
	void shouldResumeAFailedRunAtThePaceOfTheLaunchThatResumesIt() throws Exception {
		for (Map.Entry<String, Map<String, Object>> job : redisJobs().entrySet()) {
			// given: a run at one pace, recorded as FAILED
			Map<String, Object> slow = new HashMap<>(job.getValue());
			slow.put("maxRate", 1000);
			slow.put("latencyBudget", "1ms");
			JobExecution failed = failed(job.getKey(),
					new JobParametersBuilder(this.definitions.parameters(job.getKey(), slow))
						.addLong("run", System.nanoTime())
						.toJobParameters());

			// when: the same options at another pace
			Map<String, Object> fast = new HashMap<>(job.getValue());
			fast.put("maxRate", 0);
			fast.put("latencyBudget", "0");
			JobExecution resumed = this.jobRunner.run(this.applicationContext.getBean(job.getKey(), Job.class),
					this.definitions.parameters(job.getKey(), fast));

			// then: the same run goes on, at the new pace
			assertThat(resumed.getStatus()).as(job.getKey()).isEqualTo(BatchStatus.COMPLETED);
			assertThat(resumed.getJobInstance().getInstanceId()).as(job.getKey())
				.isEqualTo(failed.getJobInstance().getInstanceId());
			assertThat(resumed.getJobParameters().getLong("maxRate")).as(job.getKey()).isZero();
			assertThat(resumed.getJobParameters().getString("latencyBudget")).as(job.getKey()).isEqualTo("PT0S");
			assertThat(resumed.getJobParameters().getLong("run")).isEqualTo(failed.getJobParameters().getLong("run"));
		}
	}

	@Test
	void shouldRefusePostsWithoutTheOperatorsCredentials() {
		int before = this.jobRepository.getJobInstances("reportMemoryJob", 0, 1000).size();

		HttpResponse<String> anonymous = send(
				request("/actuator/workflowjobs/reportMemoryJob").header("Content-Type", "application/json")
					.POST(HttpRequest.BodyPublishers.ofString("{}"))
					.build());
		HttpResponse<String> wrong = send(
				request("/actuator/workflowjobs/executions/1/abandon").header("Authorization", basic("admin", "wrong"))
					.POST(HttpRequest.BodyPublishers.noBody())
					.build());

		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(wrong.statusCode()).isEqualTo(401);
		assertThat(this.jobRepository.getJobInstances("reportMemoryJob", 0, 1000)).hasSize(before);
	}

	/**
	 * Each job that works a Redis, with options that launch it on the in-memory store (or
	 * from it).
	 */
	private static Map<String, Map<String, Object>> redisJobs() {
		Map<String, Map<String, Object>> jobs = new LinkedHashMap<>();
		jobs.put("reportMemoryJob", Map.of("store", "memory:"));
		jobs.put("enforceTtlJob", Map.of("store", "memory:", "dryRun", true));
		jobs.put("purgeStatesJob", Map.of("store", "memory:", "dryRun", true));
		jobs.put("migrateStatesJob",
				Map.of("from", "memory:", "to", "snapshot:" + tmp.resolve("pace-copy.jsonl"), "verify", false));
		jobs.put("generateStatesJob", Map.of("to", "memory:", "count", 10));
		return jobs;
	}

	/** A run of {@code job} recorded as FAILED, as a process that failed leaves it. */
	private JobExecution failed(String job, JobParameters parameters) {
		JobInstance instance = this.jobRepository.createJobInstance(job, parameters);
		JobExecution failed = this.jobRepository.createJobExecution(instance, parameters, new ExecutionContext());
		failed.setStartTime(LocalDateTime.now());
		failed.setEndTime(LocalDateTime.now());
		failed.setStatus(BatchStatus.FAILED);
		failed.setExitStatus(org.springframework.batch.core.ExitStatus.FAILED);
		this.jobRepository.update(failed);
		return failed;
	}

	/**
	 * A generation into {@code to} recorded as FAILED, as a process that failed leaves
	 * it.
	 */
	private JobExecution failedGeneration(String to, long run) {
		var parameters = new org.springframework.batch.core.job.parameters.JobParametersBuilder().addString("to", to)
			.addLong("count", 10L)
			.addLong("seed", 1L)
			.addString("map", "false")
			.addLong("run", run)
			.toJobParameters();
		var instance = this.jobRepository.createJobInstance("generateStatesJob", parameters);
		JobExecution failed = this.jobRepository.createJobExecution(instance, parameters,
				new org.springframework.batch.infrastructure.item.ExecutionContext());
		failed.setStartTime(java.time.LocalDateTime.now());
		failed.setEndTime(java.time.LocalDateTime.now());
		failed.setStatus(BatchStatus.FAILED);
		failed.setExitStatus(org.springframework.batch.core.ExitStatus.FAILED);
		this.jobRepository.update(failed);
		return failed;
	}

	private long leftStarted(long pid, String worker) throws Exception {
		JobParameters parameters = new JobParametersBuilder().addString("store", "memory:")
			.addString("values", "true")
			.addLong("run", System.nanoTime())
			.toJobParameters();
		JobInstance instance = this.jobRepository.createJobInstance("reportMemoryJob", parameters);
		ExecutionContext context = new ExecutionContext();
		context.putLong(JobOwnerListener.PID, pid);
		context.putString(JobOwnerListener.HOST, java.net.InetAddress.getLocalHost().getHostName());
		if (worker != null) {
			context.putString(WorkerRegistry.WORKER, worker);
		}
		JobExecution execution = this.jobRepository.createJobExecution(instance, parameters, context);
		execution.setStartTime(LocalDateTime.now());
		execution.setStatus(BatchStatus.STARTED);
		this.jobRepository.update(execution);
		this.jobRepository.updateExecutionContext(execution);
		return execution.getId();
	}

	private static long deadPid() throws Exception {
		Process process = new ProcessBuilder("true").start();
		process.waitFor();
		return process.pid();
	}

	private static long written(JobExecution execution) {
		return execution.getStepExecutions().stream().mapToLong((step) -> step.getWriteCount()).sum();
	}

	private static void assertRefused(HttpResponse<String> response, int status, String message) {
		assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
		JsonNode body = OpsHttp.json(response);
		assertThat(body.get("status").asInt()).isEqualTo(status);
		assertThat(body.get("error").asString()).isNotBlank();
		assertThat(body.get("message").asString()).contains(message).doesNotContain(REDIS_PASSWORD);
		assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
	}

	private String store() {
		return "redis://:" + REDIS_PASSWORD + "@127.0.0.1:" + redis.port() + "/0";
	}

	private Jedis jedis() {
		Jedis jedis = new Jedis("127.0.0.1", redis.port(), 30_000);
		jedis.auth(REDIS_PASSWORD);
		return jedis;
	}

	private HttpResponse<String> post(String path, String json) {
		return send(request(path).header("Authorization", basic("admin", ADMIN_PASSWORD))
			.header("Content-Type", "application/json")
			.POST(json.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
			.build());
	}

	private HttpRequest.Builder request(String path) {
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path));
	}

	private static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

	private HttpResponse<String> send(HttpRequest request) {
		try {
			return this.client.send(request, HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private long countExecutions() {
		return this.jobRepository.getJobNames()
			.stream()
			.mapToLong((name) -> this.jobRepository.getJobInstances(name, 0, 10_000)
				.stream()
				.mapToLong((instance) -> this.jobRepository.getJobExecutions(instance).size())
				.sum())
			.sum();
	}

}
