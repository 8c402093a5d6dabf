package dev.workflowkeeper.testjob;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;

import dev.workflowkeeper.support.KeeperCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The countdown job exists only in this package of the test sources: its definition and
 * its configuration are all it takes for it to show up in the command line, the actuator,
 * the dashboard, the metrics and a schedule file, refused there with the same words.
 */
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class CountdownJobEverywhereIntegrationTests {

	static final String ADMIN_PASSWORD = "op-secret-countdown";

	static final String REFUSAL = "countdownJob: option from must be a whole number from 1 to 1000, not '0'";

	static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path tmp;

	@LocalServerPort
	int port;

	@Autowired
	JobRepository jobRepository;

	HttpClient client = HttpClient.newHttpClient();

	@DynamicPropertySource
	static void worker(DynamicPropertyRegistry registry) throws IOException {
		Path jobs = Files.createDirectories(tmp.resolve("jobs"));
		// A schedule far from now: loaded and shown, never fired during the test.
		Files.writeString(jobs.resolve("countdown.yml"),
				"job: countdownJob\nschedule: \"0 0 0 1 1 *\"\noptions:\n  from: 7\n");
		registry.add("keeper.data-dir", () -> tmp.resolve("data").toString());
		registry.add("spring.datasource.url",
				() -> "jdbc:h2:file:" + tmp.resolve("data").toAbsolutePath().resolve("history") + ";AUTO_SERVER=TRUE");
		registry.add("keeper.scheduling.enabled", () -> "true");
		registry.add("keeper.scheduling.jobs-dir", jobs::toString);
		registry.add("keeper.ops.admin-password", () -> ADMIN_PASSWORD);
		registry.add(CountdownJobDefinition.ENABLED, () -> "true");
	}

	@Test
	void shouldListTheJobWithItsOptionsAndSchedule() throws Exception {
		JsonNode jobs = JSON.readTree(get("/actuator/workflowjobs").body()).get("jobs");

		JsonNode countdown = null;
		for (JsonNode job : jobs) {
			if (job.get("name").asString().equals("countdownJob")) {
				countdown = job;
			}
		}
		assertThat(countdown).as(jobs.toString()).isNotNull();
		assertThat(countdown.get("title").asString()).startsWith("Count down");
		assertThat(countdown.get("options").get(0).get("name").asString()).isEqualTo("from");
		assertThat(countdown.get("schedule").get("scheduled").asBoolean()).isTrue();
		assertThat(countdown.get("schedule").get("file").asString()).endsWith("countdown.yml");
	}

	@Test
	void shouldShowTheJobOnTheDashboard() throws Exception {
		HttpResponse<String> page = get("/");

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.body()).contains("countdownJob").contains("from (3)");
	}

	@Test
	void shouldLaunchOverHttpWithTheScheduleFilesOptionsAndCountIt() throws Exception {
		// when: no body option, so the schedule file's from: 7 applies
		HttpResponse<String> launched = post("/actuator/workflowjobs/countdownJob", "{}");

		// then
		assertThat(launched.statusCode()).as(launched.body()).isEqualTo(200);
		long id = JSON.readTree(launched.body()).get("executionId").asLong();
		JobExecution execution = awaitEnd(id);
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(execution.getExecutionContext().getLong(CountdownJobDefinition.COUNTED)).isEqualTo(7);
		JsonNode counter = JSON.readTree(get("/actuator/metrics/" + CountdownJobDefinition.COUNTER).body());
		assertThat(counter.get("measurements").get(0).get("value").asDouble()).isGreaterThanOrEqualTo(7.0);
	}

	@Test
	void shouldRefuseAValueTheJobRefusesWithTheSameWordsOverHttpAndOnTheCommandLine() throws Exception {
		// when
		HttpResponse<String> refused = post("/actuator/workflowjobs/countdownJob", "{\"from\": 0}");
		HttpResponse<String> dashboard = this.client
			.send(withPageToken(request("/jobs/countdownJob/launch")).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"from\": 0}"))
				.build(), HttpResponse.BodyHandlers.ofString());
		KeeperCli cli = new KeeperCli(tmp.resolve("cli")).with(CountdownJobDefinition.ENABLED, true);
		KeeperCli.Result command = cli.run("run", "countdownJob", "--from", "0");

		// then
		assertThat(refused.statusCode()).isEqualTo(400);
		assertThat(JSON.readTree(refused.body()).get("message").asString()).isEqualTo(REFUSAL);
		assertThat(dashboard.statusCode()).isEqualTo(400);
		assertThat(JSON.readTree(dashboard.body()).get("message").asString()).isEqualTo(REFUSAL);
		assertThat(command.exitCode()).as(command.toString()).isEqualTo(2);
		assertThat(command.err()).contains("error: " + REFUSAL);
	}

	@Test
	void shouldShowAndRunTheJobFromTheCommandLine() {
		KeeperCli cli = new KeeperCli(tmp.resolve("cli-run")).with(CountdownJobDefinition.ENABLED, true);

		KeeperCli.Result listed = cli.run("jobs");
		KeeperCli.Result ran = cli.run("run", "countdownJob", "--from", "5");
		KeeperCli.Result help = cli.run("--help");
		KeeperCli.Result own = cli.run("countdown", "--from", "6");
		KeeperCli.Result refused = cli.run("countdown", "--from", "0");

		assertThat(listed.exitCode()).as(listed.toString()).isZero();
		assertThat(listed.out()).contains("countdownJob — Count down").containsPattern("from +whole +\\(3\\)");
		assertThat(ran.exitCode()).as(ran.toString()).isZero();
		assertThat(ran.out()).contains("countdownJob: COMPLETED").contains("counted 5");
		assertThat(help.out()).containsPattern("countdown +Count down");
		assertThat(own.exitCode()).as(own.toString()).isZero();
		assertThat(own.out()).contains("counted down from 6");
		assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
		assertThat(refused.err()).contains("error: " + REFUSAL);
	}

	@Test
	void shouldStopServeOnAMisspeltOptionOfItsScheduleFile() throws IOException {
		Path jobs = Files.createDirectories(tmp.resolve("bad-jobs"));
		Path file = jobs.resolve("countdown.yml");
		Files.writeString(file, "job: countdownJob\nschedule: \"0 0 0 1 1 *\"\noptions:\n  form: 7\n");
		KeeperCli cli = new KeeperCli(tmp.resolve("bad")).with(CountdownJobDefinition.ENABLED, true)
			.with("server.port", 0)
			.with("keeper.scheduling.enabled", true)
			.with("keeper.scheduling.jobs-dir", jobs.toString());

		KeeperCli.Result served = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> cli.run("serve"));

		assertThat(served.exitCode()).as(served.toString()).isEqualTo(2);
		assertThat(served.err()).contains(
				"error: " + file + ": countdownJob: unknown option 'form' (did you mean from?); it takes from, dryRun");
	}

	private JobExecution awaitEnd(long id) throws InterruptedException {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		JobExecution execution = this.jobRepository.getJobExecution(id);
		while (execution.isRunning() && System.nanoTime() < deadline) {
			Thread.sleep(100);
			execution = this.jobRepository.getJobExecution(id);
		}
		return execution;
	}

	private HttpResponse<String> get(String path) throws Exception {
		return this.client.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString());
	}

	private HttpResponse<String> post(String path, String body) throws Exception {
		return this.client.send(request(path).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/**
	 * The request with the CSRF token of the dashboard's page, as its launch dialog sends
	 * it.
	 */
	private HttpRequest.Builder withPageToken(HttpRequest.Builder request) throws Exception {
		String page = get("/").body();
		java.util.regex.Matcher token = java.util.regex.Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"")
			.matcher(page);
		java.util.regex.Matcher header = java.util.regex.Pattern.compile("name=\"csrf-header\" content=\"([^\"]+)\"")
			.matcher(page);
		assertThat(token.find() && header.find()).as("the page's CSRF token").isTrue();
		return request.header(header.group(1), token.group(1));
	}

	private HttpRequest.Builder request(String path) {
		String token = Base64.getEncoder().encodeToString(("admin:" + ADMIN_PASSWORD).getBytes(StandardCharsets.UTF_8));
		return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + this.port + path))
			.header("Authorization", "Basic " + token);
	}

}
