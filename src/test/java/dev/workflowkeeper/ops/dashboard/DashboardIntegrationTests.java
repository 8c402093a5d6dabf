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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import dev.workflowkeeper.report.ReportJob;
import dev.workflowkeeper.report.ReportRepository;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.RedisServerProcess.Version;
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
import org.openqa.selenium.support.ui.WebDriverWait;
import redis.clients.jedis.Jedis;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.core.BatchStatus;
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
		// given
		String store = (String) this.reports.latest().orElseThrow().get("store");
		List<ReportRepository.Point> history = this.reports.history(store, 100);
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
		assertThat(browser.findElement(By.id("report-keys")).getText()).isEqualTo("16");
		assertThat(texts(By.cssSelector("#status-breakdown tbody td:first-child"))).contains("processing", "completed",
				"failed", "pending");
		assertThat(browser.findElements(By.cssSelector("#ttl-breakdown tbody tr"))).isNotEmpty();
		// the chart, drawn from the stored history
		List<Long> keys = history.stream().map(ReportRepository.Point::keys).toList();
		assertThat(keys).endsWith(12L, 16L);
		assertThat(JSON.readTree(browser.findElement(By.id("memory-trend")).getAttribute("textContent")).size())
			.isEqualTo(history.size());
		assertThat(script("return Chart.getChart(document.getElementById('memory-chart')).data.datasets[0].data"))
			.isEqualTo(keys);
		assertThat((Long) script("""
				var canvas = document.getElementById('memory-chart');
				var pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
				var painted = 0;
				for (var i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { painted++; } }
				return painted;""")).isPositive();
		assertThat(severe(browserLog())).isEmpty();
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

	/**
	 * Opens the page with the operator's credentials in a header, then drops them again.
	 */
	private void openDashboard() {
		browserLog();
		browser.executeCdpCommand("Network.enable", Map.of());
		browser.executeCdpCommand("Network.setExtraHTTPHeaders",
				Map.of("headers", Map.of("Authorization", basic("admin", ADMIN_PASSWORD))));
		browser.get("http://127.0.0.1:" + this.port + "/");
		new WebDriverWait(browser, Duration.ofSeconds(20))
			.until((driver) -> "true".equals(browser.executeScript("return document.body.dataset.ready")));
		// What the page sends from now on carries only the credentials typed into it.
		browser.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of()));
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
