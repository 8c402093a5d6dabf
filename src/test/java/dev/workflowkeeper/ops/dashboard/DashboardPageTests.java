package dev.workflowkeeper.ops.dashboard;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.ops.WorkflowJobsEndpoint.ExecutionDescriptor;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.JobDescriptor;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.OptionDescriptor;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.ScheduleDescriptor;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.ScheduleDetails;
import dev.workflowkeeper.ops.WorkflowReportEndpoint.TrendPoint;
import dev.workflowkeeper.ops.dashboard.DashboardController.Bucket;
import dev.workflowkeeper.ops.dashboard.DashboardController.JobRow;
import dev.workflowkeeper.ops.dashboard.DashboardController.StoreOption;
import org.junit.jupiter.api.Test;
import org.thymeleaf.context.WebContext;
import org.thymeleaf.spring6.SpringTemplateEngine;
import org.thymeleaf.templateresolver.ClassLoaderTemplateResolver;
import org.thymeleaf.web.servlet.JakartaServletWebApplication;

import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockServletContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard template rendered on its own: a worker that never ran anything, and a
 * history whose text tries to close the JSON island early.
 */
class DashboardPageTests {

	@Test
	void shouldRenderAWorkerWithoutHistory() {
		// given
		WebContext context = context(List.of(JobRow.of(new JobDescriptor("reportMemoryJob", "Report the memory",
				List.of(), new ScheduleDescriptor(false, null), List.of()))), List.of(), null, List.of());

		// when
		String page = render(context);

		// then
		assertThat(page).contains("data-dry-run=\"false\"");
		assertThat(page).contains("reportMemoryJob", "never ran", "not scheduled", "No job has run yet",
				"No memory report of <code>redis://127.0.0.1:6379/0</code> yet", "Scheduling is off");
		assertThat(page).doesNotContain("memory-chart");
		assertThat(page).contains("<script type=\"application/json\" id=\"memory-trend\">[]</script>");
	}

	@Test
	void shouldRenderAJobsScheduleAndItsRunningExecution() {
		// given a disabled schedule and an execution that has not ended
		ExecutionDescriptor running = new ExecutionDescriptor(42, "purgeStatesJob", "STARTED", "UNKNOWN", "",
				"2026-11-25T19:00:00.5", null, 1200L, 20, 18, 2, 0, Map.of(), "purge states stale after 48h", "");
		JobDescriptor job = new JobDescriptor("purgeStatesJob", "Delete stale states",
				List.of(new OptionDescriptor("store", "store", null, true, "the store"),
						new OptionDescriptor("dryRun", "boolean", "false", false, "delete nothing")),
				new ScheduleDescriptor(true,
						new ScheduleDetails("0 0 4 * * *", "UTC", false, null, "purge-states.yml")),
				List.of(running));
		JobRow row = JobRow.of(job);

		// when
		String page = render(context(List.of(row), List.of(running), null, List.of()));

		// then
		assertThat(row.options()).isEqualTo("store (required), dryRun (false)");
		assertThat(row.dryRunnable()).isTrue();
		assertThat(page).contains("data-dry-run=\"true\"");
		assertThat(row.nextRun()).isNull();
		assertThat(page).contains("0 0 4 * * * UTC (disabled)", "data-execution=\"42\"", "STARTED", "status-started",
				"2026-11-25 19:00:00", "1.2 s");
	}

	@Test
	void shouldKeepTheTrendInsideItsScriptElement() {
		// given a point whose text holds markup
		TrendPoint point = new TrendPoint("</script><script>alert(1)</script>", 12, 4096);
		Map<String, Object> report = new LinkedHashMap<>();
		report.put("store", "redis://127.0.0.1:6379/0");
		report.put("createdAt", "2026-11-25T19:00:00.123Z");
		report.put("keys", 12);
		report.put("memoryBytes", 4096);
		report.put("ttlBuckets", Map.of("<1h", Map.of("keys", 12, "bytes", 4096)));
		report.put("byStatus",
				Map.of("processing", Map.of("keys", 3, "bytes", 1024), "completed", Map.of("keys", 9, "bytes", 3072)));

		// when
		String page = render(context(List.of(), List.of(), report, List.of(point)));

		// then
		assertThat(page).contains("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e");
		assertThat(page).doesNotContain("<script>alert(1)");
		assertThat(page).contains("id=\"memory-chart\"", "4.0 KiB", "2026-11-25 19:00:00 UTC", "&lt;1h");
		assertThat(Bucket.of(DashboardController.map(report.get("byStatus")))).extracting(Bucket::share)
			.containsExactlyInAnyOrder(25L, 75L);
	}

	@Test
	void shouldShowTheStaleStatesOfAReportWithoutValuesAsUnknown() {
		// given a report made with --no-values
		Map<String, Object> report = new LinkedHashMap<>();
		report.put("values", false);
		report.put("store", "redis://127.0.0.1:6379/0");
		report.put("createdAt", "2026-11-25T19:00:00.123Z");
		report.put("keys", 12);
		report.put("memoryBytes", 4096);
		report.put("staleKeys", null);
		report.put("byStatus", null);
		report.put("ttlBuckets", Map.of("<1h", Map.of("keys", 12, "bytes", 4096)));

		// when
		String page = render(context(List.of(), List.of(), report, List.of()));

		// then
		assertThat(page).contains("<dd id=\"report-stale\">unknown</dd>", "did not read the values");
		assertThat(page).doesNotContain("status-breakdown");
	}

	@Test
	void shouldKeepTheOtherParametersInTheLinksItMakes() {
		assertThat(DashboardController.query("redis://:****@10.0.0.1:6379/0", "purgeStatesJob", "FAILED", 40))
			.isEqualTo("?store=redis%3A%2F%2F%3A****%4010.0.0.1%3A6379%2F0&job=purgeStatesJob&status=FAILED&limit=40");
		assertThat(DashboardController.query(null, null, "STOPPED", null)).isEqualTo("?status=STOPPED");
	}

	@Test
	void shouldWriteFiguresForPeople() {
		DashboardFormat format = new DashboardFormat();

		assertThat(format.number(1234567L)).isEqualTo("1,234,567");
		assertThat(format.bytes(512)).isEqualTo("512 B");
		assertThat(format.bytes(3L * 1024 * 1024 * 1024 / 2)).isEqualTo("1.5 GiB");
		assertThat(format.time("2026-11-25T19:14:57.123")).isEqualTo("2026-11-25 19:14:57");
		assertThat(format.time("2026-11-25T20:00:00Z")).isEqualTo("2026-11-25 20:00:00 UTC");
		assertThat(format.duration(850)).isEqualTo("850 ms");
		assertThat(format.duration(12_300)).isEqualTo("12.3 s");
		assertThat(format.duration(245_000)).isEqualTo("4 min 5 s");
		assertThat(format.bytes(null)).isEqualTo("—");
	}

	private static WebContext context(List<JobRow> jobs, List<ExecutionDescriptor> executions,
			Map<String, Object> report, List<TrendPoint> trend) {
		MockServletContext servletContext = new MockServletContext();
		WebContext context = new WebContext(JakartaServletWebApplication.buildApplication(servletContext)
			.buildExchange(new MockHttpServletRequest(servletContext, "GET", "/"), new MockHttpServletResponse()));
		context.setVariable("schedulingEnabled", false);
		context.setVariable("jobs", jobs);
		context.setVariable("executions", executions);
		context.setVariable("executionsTotal", (long) executions.size());
		context.setVariable("executionNotes", List.of());
		context.setVariable("jobFilter", null);
		context.setVariable("statusFilter", null);
		context.setVariable("limit", DashboardController.RECENT_EXECUTIONS);
		context.setVariable("jobNames", jobs.stream().map(JobRow::name).toList());
		context.setVariable("batchStatuses", List.of("COMPLETED", "FAILED", "STOPPED"));
		context.setVariable("moreUrl", null);
		context.setVariable("filterStore", null);
		context.setVariable("reportStore", "redis://127.0.0.1:6379/0");
		context.setVariable("reportStoreIsDefault", true);
		context.setVariable("defaultStore", "redis://127.0.0.1:6379/0");
		context.setVariable("reportStores", List.of(new StoreOption("redis://127.0.0.1:6379/0", true, true)));
		context.setVariable("report", report);
		context.setVariable("valuesRead", report != null && !Boolean.FALSE.equals(report.get("values")));
		context.setVariable("ttlBuckets",
				(report != null) ? Bucket.of(DashboardController.map(report.get("ttlBuckets"))) : List.of());
		context.setVariable("statuses",
				(report != null) ? Bucket.of(DashboardController.map(report.get("byStatus"))) : List.of());
		context.setVariable("trendJson", DashboardController.jsonIsland(trend));
		context.setVariable("fmt", new DashboardFormat());
		return context;
	}

	private static String render(WebContext context) {
		ClassLoaderTemplateResolver resolver = new ClassLoaderTemplateResolver();
		resolver.setPrefix("templates/");
		resolver.setSuffix(".html");
		SpringTemplateEngine engine = new SpringTemplateEngine();
		engine.setTemplateResolver(resolver);
		return engine.process("dashboard", context);
	}

}
