package dev.workflowkeeper.ops.dashboard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import dev.workflowkeeper.generate.GenerateJob;
import dev.workflowkeeper.report.ReportJob;
import dev.workflowkeeper.report.ReportRepository;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The dashboard of a running worker on a real Redis with a memory history, in a real
 * headless Chromium (Debian's {@code chromium} and {@code chromium-driver}; the browser
 * tests are skipped where they are missing), and its launch route over plain HTTP.
 */
// closed before the temporary data folder is deleted, so that no H2 file appears while it
// goes
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class DashboardIntegrationTests {

	static final String ADMIN_PASSWORD = "dash-secret-2718";

	static final Path CHROMIUM = Path.of("/usr/bin/chromium");

	static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

	static final List<String> JOBS = List.of("enforceTtlJob", "generateStatesJob", "migrateStatesJob",
			"pruneHistoryJob", "purgeStatesJob", "reportMemoryJob");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	@TempDir
	static Path tmp;

	static RedisServerProcess redis;

	static ChromeDriver browser;

	static boolean historyMade;

	@LocalServerPort
	int port;

	@Autowired
	ReportJob reportJob;

	@Autowired
	ReportRepository reports;

	@Autowired
	GenerateJob generateJob;

	@Autowired
	JobRepository jobRepository;

	@Autowired
	JdbcTemplate jdbc;

	private final HttpClient http = HttpClient.newHttpClient();

	@DynamicPropertySource
	static void worker(DynamicPropertyRegistry registry) throws IOException {
		redis = RedisServerProcess.start(Version.DEFAULT);
		Path jobs = Files.createDirectories(tmp.resolve("jobs"));
		// Scheduled far ahead: the page shows the next run, and no slot fires during the
		// test.
		Files.writeString(jobs.resolve("report-memory.yml"),
				"job: reportMemoryJob\nschedule: \"0 0 0 1 1 *\"\nzone: UTC\noptions:\n  values: true\n");
		registry.add("keeper.data-dir", () -> tmp.resolve("data").toString());
		registry.add("spring.datasource.url",
				() -> "jdbc:h2:file:" + tmp.resolve("data").toAbsolutePath().resolve("history") + ";AUTO_SERVER=TRUE");
		registry.add("keeper.redis.use-redis", () -> "true");
		registry.add("keeper.redis.url", redis::uri);
		registry.add("keeper.scheduling.enabled", () -> "true");
		registry.add("keeper.scheduling.jobs-dir", jobs::toString);
		registry.add("keeper.ops.admin-password", () -> ADMIN_PASSWORD);
	}

	@BeforeAll
	static void startBrowser() throws IOException {
		if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
			return;
		}
		ChromeOptions options = new ChromeOptions();
		options.setBinary(CHROMIUM.toFile());
		options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
				"--disable-background-networking", "--disable-component-update", "--disable-sync",
				"--disable-dev-shm-usage", "--window-size=1280,1000",
				"--user-data-dir=" + Files.createTempDirectory(tmp, "chromium-profile"));
		LoggingPreferences logs = new LoggingPreferences();
		logs.enable(LogType.BROWSER, Level.ALL);
		options.setCapability("goog:loggingPrefs", logs);
		ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
			.usingAnyFreePort()
			.build();
		browser = new ChromeDriver(service, options);
	}

	@AfterAll
	static void stop() {
		if (browser != null) {
			browser.quit();
		}
		if (redis != null) {
			redis.close();
		}
	}

	/** A keyspace and two memory reports of it, made once: 12 states, then 16. */
	@BeforeEach
	void makeHistory() throws Exception {
		if (historyMade) {
			return;
		}
		try (Jedis jedis = new Jedis("127.0.0.1", redis.port())) {
			SampleStates.load(jedis, SampleStates.states(12), 3600);
			assertThat(this.reportJob.run(null, true).getStatus()).isEqualTo(BatchStatus.COMPLETED);
			SampleStates.load(jedis, SampleStates.states(16), 3600);
			assertThat(this.reportJob.run(null, true).getStatus()).isEqualTo(BatchStatus.COMPLETED);
		}
		historyMade = true;
	}

	@Test
	void shouldChallengeForCredentialsWithoutThem() {
		HttpResponse<String> anonymous = send(get("/"));
		HttpResponse<String> wrong = send(get("/").header("Authorization", basic("admin", "wrong")));

		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(anonymous.headers().firstValue("WWW-Authenticate"))
			.hasValueSatisfying((challenge) -> assertThat(challenge).startsWith("Basic"));
		assertThat(anonymous.body()).doesNotContain("reportMemoryJob");
		assertThat(wrong.statusCode()).isEqualTo(401);
	}

	@Test
	void shouldServeTheScriptsAndStylesWithoutCredentials() {
		for (String path : List.of("/webjars/chart.js/dist/chart.umd.js", "/dashboard/dashboard.js",
				"/dashboard/dashboard.css")) {
			assertThat(send(get(path)).statusCode()).as(path).isEqualTo(200);
		}
	}

	@Test
	void shouldRenderThePageOnTheServerWithTheTrendAsJson() {
		HttpResponse<String> page = send(get("/").header("Authorization", basic("admin", ADMIN_PASSWORD)));

		assertThat(page.statusCode()).isEqualTo(200);
		assertThat(page.headers().firstValue("Content-Type"))
			.hasValueSatisfying((type) -> assertThat(type).startsWith("text/html"));
		assertThat(page.body()).contains(JOBS).contains("id=\"memory-trend\"").doesNotContain(ADMIN_PASSWORD);
	}

	@Test
	void shouldLaunchOverHttpOnlyWithCredentialsAndJson() throws Exception {
		// given
		long before = executions();

		// when: the page's CSRF token (header and cookie) given to every request but the
		// first
		HttpResponse<String> noToken = send(
				post("/jobs/pruneHistoryJob/launch", "{}").header("Authorization", basic("admin", ADMIN_PASSWORD)));
		HttpResponse<String> anonymous = send(withToken(post("/jobs/pruneHistoryJob/launch", "{}")));
		HttpResponse<String> wrong = send(
				withToken(post("/jobs/pruneHistoryJob/launch", "{}")).header("Authorization", basic("admin", "wrong")));
		HttpResponse<String> form = send(withToken(HttpRequest.newBuilder(uri("/jobs/pruneHistoryJob/launch")))
			.header("Authorization", basic("admin", ADMIN_PASSWORD))
			.header("Content-Type", "application/x-www-form-urlencoded")
			.POST(HttpRequest.BodyPublishers.ofString("dryRun=true")));
		HttpResponse<String> unknown = send(withToken(post("/jobs/noSuchJob/launch", "{}")).header("Authorization",
				basic("admin", ADMIN_PASSWORD)));
		HttpResponse<String> noBody = send(withToken(HttpRequest.newBuilder(uri("/jobs/pruneHistoryJob/launch")))
			.header("Authorization", basic("admin", ADMIN_PASSWORD))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.noBody()));
		HttpResponse<String> malformed = send(withToken(post("/jobs/pruneHistoryJob/launch", "{\"dryRun\": tru"))
			.header("Authorization", basic("admin", ADMIN_PASSWORD)));
		HttpResponse<String> crossSite = send(withToken(post("/jobs/pruneHistoryJob/launch", "{}"))
			.header("Authorization", basic("admin", ADMIN_PASSWORD))
			.header("Sec-Fetch-Site", "cross-site"));
		HttpResponse<String> crossSiteActuator = send(post("/actuator/workflowjobs/pruneHistoryJob", "{}")
			.header("Authorization", basic("admin", ADMIN_PASSWORD))
			.header("Sec-Fetch-Site", "cross-site"));
		HttpResponse<String> secret = send(
				withToken(post("/jobs/pruneHistoryJob/launch", "{\"archive\": \"redis://:hunter2@127.0.0.1:6379/0\"}"))
					.header("Authorization", basic("admin", ADMIN_PASSWORD)));

		// then
		assertThat(noToken.statusCode()).isEqualTo(403);
		assertThat(noBody.statusCode()).isEqualTo(400);
		assertThat(malformed.statusCode()).isEqualTo(400);
		assertThat(JSON.readTree(malformed.body()).get("message").asString())
			.startsWith("the body is not a JSON object (line 1, column");
		assertThat(crossSite.statusCode()).isEqualTo(403);
		assertThat(crossSiteActuator.statusCode()).isEqualTo(403);
		assertThat(JSON.readTree(crossSite.body()).get("message").asString()).contains("another site");
		assertThat(anonymous.statusCode()).isEqualTo(401);
		assertThat(wrong.statusCode()).isEqualTo(401);
		HttpResponse<String> xhr = send(
				withToken(post("/jobs/pruneHistoryJob/launch", "{}")).header("Authorization", basic("admin", "wrong"))
					.header("X-Requested-With", "XMLHttpRequest"));
		// A page's request is refused without a challenge, so that no browser pops its
		// own login up.
		assertThat(xhr.statusCode()).isEqualTo(401);
		assertThat(xhr.headers().firstValue("WWW-Authenticate")).isEmpty();
		assertThat(form.statusCode()).isEqualTo(415);
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(JSON.readTree(unknown.body()).get("message").asString()).contains("noSuchJob");
		assertThat(secret.statusCode()).isEqualTo(400);
		assertThat(secret.body()).doesNotContain("hunter2");
		assertThat(executions()).isEqualTo(before);

		// when the operator launches
		HttpResponse<String> launched = send(withToken(post("/jobs/pruneHistoryJob/launch", "{\"dryRun\": true}"))
			.header("Authorization", basic("admin", ADMIN_PASSWORD)));

		// then
		assertThat(launched.statusCode()).isEqualTo(202);
		JsonNode body = JSON.readTree(launched.body());
		assertThat(body.get("job").asString()).isEqualTo("pruneHistoryJob");
		JobExecution execution = awaitEnd(body.get("executionId").asLong());
		assertThat(execution.getJobInstance().getJobName()).isEqualTo("pruneHistoryJob");
		assertThat(execution.getJobParameters().getString("dryRun")).isEqualTo("true");
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(executions()).isEqualTo(before + 1);
	}

	@Test
	void shouldShowJobsExecutionsAndTheMemoryTrendWithoutConsoleErrors() {
		assumeBrowser();
		// given the reports of the default store
		List<ReportRepository.Point> history = this.reports.history(redis.uri(), 100);
		assertThat(history).hasSizeGreaterThanOrEqualTo(2);

		// when
		openDashboard();

		// then the jobs, with the scheduled one's next run
		List<String> jobs = texts(By.cssSelector("#jobs td.job-name"));
		assertThat(jobs).containsAll(JOBS);
		WebElement report = browser.findElement(By.cssSelector("#jobs tr[data-job='reportMemoryJob']"));
		assertThat(report.findElement(By.cssSelector("td.next-run")).getText()).matches("\\d{4}-01-01 00:00:00 UTC");
		assertThat(report.findElement(By.cssSelector(".status")).getText()).isEqualTo("COMPLETED");
		// the recent executions, the report runs among them
		assertThat(browser.findElements(By.cssSelector("#executions tbody tr"))).isNotEmpty();
		assertThat(texts(By.cssSelector("#executions tbody td:nth-child(2)"))).contains("reportMemoryJob");
		// the breakdowns of the latest report: 16 states, four statuses
		assertThat(browser.findElement(By.id("report-store")).getText()).isEqualTo(redis.uri());
		assertThat(browser.findElement(By.id("report-keys")).getText()).isEqualTo("16");
		assertThat(texts(By.cssSelector("#status-breakdown tbody td:first-child"))).contains("processing", "completed",
				"failed", "pending");
		assertThat(browser.findElements(By.cssSelector("#ttl-breakdown tbody tr"))).isNotEmpty();
		// two charts, keys and memory, drawn from the stored history: x is the time of
		// each
		// report (epoch milliseconds on a linear axis), not its rank
		List<Long> keys = history.stream().map(ReportRepository.Point::keys).toList();
		List<Long> times = history.stream().map((point) -> point.at().toEpochMilli()).toList();
		assertThat(keys).endsWith(12L, 16L);
		assertThat(JSON.readTree(browser.findElement(By.id("memory-trend")).getAttribute("textContent")).size())
			.isEqualTo(history.size());
		for (String chart : List.of("keys-chart", "memory-chart")) {
			assertThat(script("return Chart.getChart(document.getElementById('" + chart
					+ "')).data.datasets[0].data.map(function (p) { return p.x; })"))
				.as(chart)
				.isEqualTo(times);
			assertThat(script("return Chart.getChart(document.getElementById('" + chart + "')).scales.x.type"))
				.isEqualTo("linear");
			assertThat(script("return Chart.getChart(document.getElementById('" + chart + "')).data.datasets.length"))
				.isEqualTo(1L);
			assertThat((Long) script("""
					var canvas = document.getElementById('%s');
					var pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
					var painted = 0;
					for (var i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { painted++; } }
					return painted;""".formatted(chart))).as(chart).isPositive();
		}
		assertThat(script("return Chart.getChart(document.getElementById('keys-chart')).data.datasets[0].data"
				+ ".map(function (p) { return p.y; })"))
			.isEqualTo(keys);
		assertThat(severe(browserLog())).isEmpty();
	}

	@Test
	void shouldShowTheDefaultStoresReportAfterAReportOfAnotherStore() throws Exception {
		// given the default store's reports (16 states), then a report of memory: (25)
		assertThat(
				this.generateJob.run(StoreUri.parse("memory:"), 25, 7, false, System.currentTimeMillis()).getStatus())
			.isEqualTo(BatchStatus.COMPLETED);
		assertThat(this.reportJob.run("memory:", true).getStatus()).isEqualTo(BatchStatus.COMPLETED);

		// when
		String page = page("/");
		String memoryPage = page("/?store=memory:");
		JsonNode endpoint = JSON.readTree(
				send(get("/actuator/workflowreport").header("Authorization", basic("admin", ADMIN_PASSWORD))).body());
		JsonNode memoryEndpoint = JSON.readTree(send(
				get("/actuator/workflowreport?store=memory:").header("Authorization", basic("admin", ADMIN_PASSWORD)))
			.body());

		// then the page and the endpoint show the default store unless asked for memory:
		assertThat(page).contains("<code id=\"report-store\">" + redis.uri() + "</code>",
				"(the worker's default store)", "<dd id=\"report-keys\">16</dd>");
		assertThat(page).contains("<option value=\"memory:\">memory:</option>");
		assertThat(memoryPage).contains("<code id=\"report-store\">memory:</code>", "(not the worker's default store",
				"<dd id=\"report-keys\">25</dd>");
		assertThat(endpoint.get("store").asString()).isEqualTo(redis.uri());
		assertThat(endpoint.get("defaultStore").asBoolean()).isTrue();
		assertThat(endpoint.get("report").get("keys").asLong()).isEqualTo(16);
		assertThat(endpoint.get("trend").get(endpoint.get("trend").size() - 1).get("keys").asLong()).isEqualTo(16);
		assertThat(memoryEndpoint.get("store").asString()).isEqualTo("memory:");
		assertThat(memoryEndpoint.get("defaultStore").asBoolean()).isFalse();
		assertThat(memoryEndpoint.get("report").get("keys").asLong()).isEqualTo(25);
		List<String> stores = new ArrayList<>();
		endpoint.get("stores").forEach((store) -> stores.add(store.get("store").asString()));
		assertThat(stores).contains(redis.uri(), "memory:");
	}

	@Test
	void shouldApplyTheFilterAndTheStoreAsSoonAsTheyAreChosenInTheBrowser() throws Exception {
		assumeBrowser();
		// given a failed run, and a report of a second store
		long failed = recordExecution("purgeStatesJob", BatchStatus.FAILED);
		assertThat(
				this.generateJob.run(StoreUri.parse("memory:"), 5, 11, false, System.currentTimeMillis()).getStatus())
			.isEqualTo(BatchStatus.COMPLETED);
		assertThat(this.reportJob.run("memory:", true).getStatus()).isEqualTo(BatchStatus.COMPLETED);
		browser.executeCdpCommand("Network.enable", Map.of());
		browser.executeCdpCommand("Network.setExtraHTTPHeaders",
				Map.of("headers", Map.of("Authorization", basic("admin", ADMIN_PASSWORD))));
		try {
			browser.get("http://127.0.0.1:" + this.port + "/");
			awaitReady();

			// when the operator picks a status
			new Select(browser.findElement(By.id("filter-status"))).selectByValue("FAILED");
			new WebDriverWait(browser, Duration.ofSeconds(20))
				.until((driver) -> driver.getCurrentUrl().contains("status=FAILED"));
			awaitReady();

			// then only failed runs, the new one first
			assertThat(texts(By.cssSelector("#executions tbody td:nth-child(3)"))).isNotEmpty()
				.allSatisfy((status) -> assertThat(status).isEqualTo("FAILED"));
			assertThat(browser.findElement(By.cssSelector("#executions tbody tr")).getAttribute("data-execution"))
				.isEqualTo(String.valueOf(failed));

			// when the operator picks the other store
			new Select(browser.findElement(By.id("store-select"))).selectByValue("memory:");
			new WebDriverWait(browser, Duration.ofSeconds(20))
				.until((driver) -> driver.getCurrentUrl().contains("store=memory"));
			awaitReady();

			// then its report, the status filter kept
			assertThat(browser.findElement(By.id("report-store")).getText()).isEqualTo("memory:");
			assertThat(browser.getCurrentUrl()).contains("status=FAILED");
			assertThat(severe(browserLog())).isEmpty();
		}
		finally {
			browser.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of()));
		}
	}

	@Test
	void shouldListTheNewestExecutionsFirstWithTheirFailuresAndFilters() {
		// given one failed and one stopped run, then 8 runs of one job after them: more
		// than one job's share of the old list
		long failed = recordExecution("purgeStatesJob", BatchStatus.FAILED);
		long stopped = recordExecution("migrateStatesJob", BatchStatus.STOPPED);
		List<Long> pruned = new ArrayList<>();
		for (int i = 0; i < 8; i++) {
			pruned.add(recordExecution("pruneHistoryJob", BatchStatus.COMPLETED));
		}
		List<Long> newest = this.jdbc.queryForList(
				"SELECT JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION ORDER BY JOB_EXECUTION_ID DESC FETCH FIRST 20 ROWS ONLY",
				Long.class);

		// when
		Map<Long, String> all = rows(page("/"));
		Map<Long, String> failures = rows(page("/?status=FAILED"));
		Map<Long, String> stoppedMigrations = rows(page("/?job=migrateStatesJob&status=STOPPED"));
		String three = page("/?limit=3");
		String unknown = page("/?status=NOSUCHSTATUS");

		// then newest first, the failed and stopped ones among them, each told by its job
		assertThat(all.keySet()).containsExactlyElementsOf(newest);
		assertThat(java.util.regex.Pattern.compile("<td class=\"description\">[^<]+</td>").matcher(page("/")).results())
			.hasSize(all.size());
		assertThat(page("/")).doesNotContain("<th class=\"num\">Read</th>");
		assertThat(all.keySet()).contains(failed, stopped).containsAll(pruned);
		assertThat(all.get(failed)).isEqualTo("FAILED");
		assertThat(all.get(stopped)).isEqualTo("STOPPED");
		// the filters
		assertThat(failures).containsKey(failed).allSatisfy((id, status) -> assertThat(status).isEqualTo("FAILED"));
		assertThat(stoppedMigrations.keySet()).containsExactly(stopped);
		assertThat(page("/?job=pruneHistoryJob")).contains("<option value=\"pruneHistoryJob\" selected=\"selected\">");
		// a limit, and a link to more that keeps the filters
		assertThat(rows(three).keySet()).containsExactlyElementsOf(newest.subList(0, 3));
		assertThat(three).contains("id=\"executions-more\" href=\"?limit=23\"");
		assertThat(page("/?status=COMPLETED&limit=1")).contains("href=\"?status=COMPLETED&amp;limit=21\"");
		// a store address with a password: masked on the page and in its links
		String secret = page("/?status=COMPLETED&limit=1&store="
				+ java.net.URLEncoder.encode("redis://:hunter2@127.0.0.1:1/0", StandardCharsets.UTF_8));
		assertThat(secret).doesNotContain("hunter2").contains("redis://:****@127.0.0.1:1/0");
		// a status that does not exist is said, not dropped
		assertThat(rows(unknown)).isEmpty();
		assertThat(unknown).contains("No status is named &#39;NOSUCHSTATUS&#39;");
	}

	@Test
	void shouldLaunchAJobFromThePageWithTheOperatorsCredentials() {
		assumeBrowser();
		// given
		openDashboard();
		long before = executions();

		// when
		String result = launchFromPage("enforceTtlJob", "admin", ADMIN_PASSWORD, "{\"dryRun\": \"true\"}");

		// then
		assertThat(result).contains("enforceTtlJob started as execution");
		long id = Long.parseLong(browser.findElement(By.id("launch-result")).getAttribute("data-execution-id"));
		JobExecution execution = awaitEnd(id);
		assertThat(execution.getJobInstance().getJobName()).isEqualTo("enforceTtlJob");
		assertThat(execution.getJobParameters().getString("dryRun")).isEqualTo("true");
		assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		assertThat(executions()).isEqualTo(before + 1);
		assertThat(severe(browserLog())).isEmpty();
	}

	@Test
	void shouldLaunchNothingFromAPageOfAnotherSiteEvenWithTheOperatorsCredentials() throws Exception {
		assumeBrowser();
		// given: another site's page, and a browser that sends the operator's credentials
		// with every request (as one that remembers them would)
		String target = "http://127.0.0.1:" + this.port;
		String page = "<!DOCTYPE html><html><body><script>\n" + "window.done = 0;\n"
				+ "function attempt(url, init) { return fetch(url, init).then(() => window.done++, () => window.done++); }\n"
				+ "attempt('" + target + "/jobs/purgeStatesJob/launch', {method: 'POST', mode: 'no-cors', "
				+ "credentials: 'include', body: '{}'});\n" + "attempt('" + target
				+ "/jobs/purgeStatesJob/launch', {method: 'POST', mode: 'no-cors', credentials: 'include'});\n"
				+ "attempt('" + target + "/actuator/workflowjobs/purgeStatesJob', {method: 'POST', mode: 'no-cors', "
				+ "credentials: 'include', headers: {'Content-Type': 'text/plain'}, body: '{}'});\n"
				+ "</script></body></html>";
		com.sun.net.httpserver.HttpServer other = com.sun.net.httpserver.HttpServer
			.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
		other.createContext("/", (exchange) -> {
			byte[] bytes = page.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
			exchange.sendResponseHeaders(200, bytes.length);
			exchange.getResponseBody().write(bytes);
			exchange.close();
		});
		other.start();
		long before = executions();
		try {
			browser.executeCdpCommand("Network.enable", Map.of());
			browser.executeCdpCommand("Network.setExtraHTTPHeaders",
					Map.of("headers", Map.of("Authorization", basic("admin", ADMIN_PASSWORD))));

			// when: the page of the other site (localhost is another site than 127.0.0.1)
			browser.get("http://localhost:" + other.getAddress().getPort() + "/");
			new WebDriverWait(browser, Duration.ofSeconds(20)).until((driver) -> Long.valueOf(3)
				.equals(((Number) browser.executeScript("return window.done")).longValue()));
		}
		finally {
			browser.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of()));
			other.stop(0);
		}

		// then
		Thread.sleep(500);
		assertThat(executions()).isEqualTo(before);
	}

	@Test
	void shouldShowTheRefusalAndLaunchNothingWithWrongCredentials() {
		assumeBrowser();
		// given
		openDashboard();
		long before = executions();

		// when
		String result = launchFromPage("enforceTtlJob", "admin", "not-the-password", "{}");

		// then
		assertThat(result).contains("401").contains("wrong user or password");
		assertThat(browser.findElement(By.id("launch-result")).getAttribute("data-execution-id")).isNull();
		assertThat(executions()).isEqualTo(before);
		// the refused request is the only error the browser saw
		assertThat(severe(browserLog())).singleElement()
			.satisfies((entry) -> assertThat(entry).contains("/jobs/enforceTtlJob/launch", "401"));
	}

	/** The page, as the operator gets it. */
	private String page(String path) {
		HttpResponse<String> response = send(get(path).header("Authorization", basic("admin", ADMIN_PASSWORD)));
		assertThat(response.statusCode()).as(path).isEqualTo(200);
		return response.body();
	}

	/** The executions a page lists, in its order: id → status. */
	private static Map<Long, String> rows(String page) {
		Map<Long, String> rows = new java.util.LinkedHashMap<>();
		java.util.regex.Matcher row = java.util.regex.Pattern
			.compile("<tr data-execution=\"(\\d+)\">[\\s\\S]*?class=\"status [^\"]*\">(\\w+)<")
			.matcher(page);
		while (row.find()) {
			rows.put(Long.parseLong(row.group(1)), row.group(2));
		}
		return rows;
	}

	/**
	 * An execution of a job in the history, ended with the status, as a run leaves it.
	 */
	private long recordExecution(String job, BatchStatus status) {
		JobParameters parameters = new JobParametersBuilder().addString("store", "memory:")
			.addLong("run", System.nanoTime())
			.toJobParameters();
		JobInstance instance = this.jobRepository.createJobInstance(job, parameters);
		JobExecution execution = this.jobRepository.createJobExecution(instance, parameters, new ExecutionContext());
		execution.setStartTime(LocalDateTime.now());
		execution.setEndTime(LocalDateTime.now());
		execution.setStatus(status);
		execution.setExitStatus(new ExitStatus(status.name()));
		this.jobRepository.update(execution);
		return execution.getId();
	}

	/**
	 * Opens the page with the operator's credentials in a header, then drops them again.
	 */
	private void openDashboard() {
		browserLog();
		browser.executeCdpCommand("Network.enable", Map.of());
		browser.executeCdpCommand("Network.setExtraHTTPHeaders",
				Map.of("headers", Map.of("Authorization", basic("admin", ADMIN_PASSWORD))));
		browser.get("http://127.0.0.1:" + this.port + "/");
		awaitReady();
		// What the page sends from now on carries only the credentials typed into it.
		browser.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of()));
	}

	private static void awaitReady() {
		new WebDriverWait(browser, Duration.ofSeconds(20))
			.until((driver) -> "true".equals(browser.executeScript("return document.body.dataset.ready")));
	}

	private String launchFromPage(String job, String user, String password, String options) {
		browser.findElement(By.cssSelector("button.launch[data-job='" + job + "']")).click();
		assertThat(browser.findElement(By.id("launch-dialog")).isDisplayed()).isTrue();
		WebElement userInput = browser.findElement(By.id("launch-user"));
		userInput.clear();
		userInput.sendKeys(user);
		browser.findElement(By.id("launch-password")).sendKeys(password);
		WebElement optionsInput = browser.findElement(By.id("launch-options"));
		optionsInput.clear();
		optionsInput.sendKeys(options);
		browser.findElement(By.id("launch-submit")).click();
		WebElement result = browser.findElement(By.id("launch-result"));
		new WebDriverWait(browser, Duration.ofSeconds(20)).until((driver) -> {
			String kind = result.getAttribute("class");
			return "ok".equals(kind) || "error".equals(kind);
		});
		return result.getText();
	}

	private static void assumeBrowser() {
		assumeTrue(browser != null,
				"needs " + CHROMIUM + " and " + CHROMEDRIVER + " (Debian's chromium, chromium-driver)");
	}

	private static Object script(String script) {
		return browser.executeScript(script);
	}

	private static List<String> texts(By by) {
		return browser.findElements(by).stream().map(WebElement::getText).toList();
	}

	/** The browser's console and network messages since the last call. */
	private static List<String> browserLog() {
		List<String> entries = new ArrayList<>();
		for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
			entries.add(entry.getLevel() + " " + entry.getMessage());
		}
		return entries;
	}

	private static List<String> severe(List<String> entries) {
		return entries.stream().filter((entry) -> entry.startsWith(Level.SEVERE.getName())).toList();
	}

	private long executions() {
		Long count = this.jdbc.queryForObject("SELECT COUNT(*) FROM BATCH_JOB_EXECUTION", Long.class);
		return (count != null) ? count : 0;
	}

	private JobExecution awaitEnd(long id) {
		long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
		JobExecution execution = this.jobRepository.getJobExecution(id);
		while (execution.isRunning() && System.nanoTime() < deadline) {
			try {
				Thread.sleep(100);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException(ex);
			}
			execution = this.jobRepository.getJobExecution(id);
		}
		return execution;
	}

	private URI uri(String path) {
		return URI.create("http://127.0.0.1:" + this.port + path);
	}

	private HttpRequest.Builder get(String path) {
		return HttpRequest.newBuilder(uri(path)).GET();
	}

	private HttpRequest.Builder post(String path, String json) {
		return HttpRequest.newBuilder(uri(path))
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json));
	}

	/**
	 * The request with the CSRF token the dashboard's page carries: in the header the
	 * page names, and its cookie, as the page's script sends them.
	 */
	private HttpRequest.Builder withToken(HttpRequest.Builder request) {
		HttpResponse<String> page = send(get("/").header("Authorization", basic("admin", ADMIN_PASSWORD)));
		java.util.regex.Matcher token = java.util.regex.Pattern.compile("name=\"csrf-token\" content=\"([^\"]+)\"")
			.matcher(page.body());
		java.util.regex.Matcher header = java.util.regex.Pattern.compile("name=\"csrf-header\" content=\"([^\"]+)\"")
			.matcher(page.body());
		assertThat(token.find()).as("the page's CSRF token").isTrue();
		assertThat(header.find()).as("the page's CSRF header").isTrue();
		return request.header(header.group(1), token.group(1));
	}

	private HttpResponse<String> send(HttpRequest.Builder request) {
		try {
			return this.http.send(request.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	private static String basic(String user, String password) {
		return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
	}

}
