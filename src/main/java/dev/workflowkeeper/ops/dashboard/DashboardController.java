package dev.workflowkeeper.ops.dashboard;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.workflowkeeper.ops.WorkflowJobsEndpoint;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.ExecutionDescriptor;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.JobDescriptor;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.JobsDescriptor;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.OptionDescriptor;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.ScheduleDetails;
import dev.workflowkeeper.ops.WorkflowReportEndpoint;
import dev.workflowkeeper.ops.WorkflowReportEndpoint.ReportDescriptor;
import dev.workflowkeeper.ops.WorkflowReportEndpoint.TrendPoint;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * {@code GET /}: the operator's page, rendered on the server from what the actuator
 * endpoints answer — jobs with their last status and next run, recent executions, the
 * memory trend and the breakdowns of the latest report. The trend travels in the page as
 * a JSON island for the chart.
 */
@Controller
class DashboardController {

	/** Executions shown in the "recent executions" table. */
	static final int RECENT_EXECUTIONS = 15;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final WorkflowJobsEndpoint jobsEndpoint;

	private final WorkflowReportEndpoint reportEndpoint;

	DashboardController(WorkflowJobsEndpoint jobsEndpoint, WorkflowReportEndpoint reportEndpoint) {
		this.jobsEndpoint = jobsEndpoint;
		this.reportEndpoint = reportEndpoint;
	}

	@GetMapping("/")
	String dashboard(Model model) {
		JobsDescriptor jobList = this.jobsEndpoint.jobs();
		model.addAttribute("schedulingEnabled", jobList.schedulingEnabled());
		model.addAttribute("jobs", jobList.jobs().stream().map(JobRow::of).toList());
		model.addAttribute("executions", recentExecutions(jobList.jobs()));
		Optional<ReportDescriptor> latest = this.reportEndpoint.latest();
		Map<String, Object> report = latest.map(ReportDescriptor::report).orElse(null);
		List<TrendPoint> trend = latest.map(ReportDescriptor::trend).orElse(List.of());
		model.addAttribute("report", report);
		model.addAttribute("ttlBuckets", (report != null) ? Bucket.of(map(report.get("ttlBuckets"))) : List.of());
		model.addAttribute("statuses", (report != null) ? Bucket.of(map(report.get("byStatus"))) : List.of());
		model.addAttribute("trendJson", jsonIsland(trend));
		model.addAttribute("fmt", new DashboardFormat());
		return "dashboard";
	}

	/**
	 * The newest executions of every job, newest first: the job list holds each job's
	 * latest ones.
	 */
	private static List<ExecutionDescriptor> recentExecutions(List<JobDescriptor> jobs) {
		return jobs.stream()
			.flatMap((job) -> job.executions().stream())
			.sorted(Comparator.comparingLong(ExecutionDescriptor::id).reversed())
			.limit(RECENT_EXECUTIONS)
			.toList();
	}

	/**
	 * JSON that may stand inside a {@code <script>} element: {@code <}, {@code >} and
	 * {@code &} only occur inside JSON strings, where their escapes mean the same.
	 */
	static String jsonIsland(Object value) {
		return JSON.writeValueAsString(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026");
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> map(Object value) {
		return (value instanceof Map<?, ?> map) ? (Map<String, Object>) map : Map.of();
	}

	static long number(Object value) {
		return (value instanceof Number number) ? number.longValue() : 0;
	}

	/**
	 * One row of the jobs table.
	 *
	 * @param name the job's name
	 * @param title what it does
	 * @param options the options it takes, for the launch dialog ({@code name=default},
	 * …)
	 * @param dryRunnable whether it can preview what it would do (takes {@code dryRun}):
	 * the dialog then starts as a dry run
	 * @param schedule its cron expression and zone, or why it has none
	 * @param nextRun the next fire time, or {@code null}
	 * @param last its latest execution, or {@code null}
	 */
	record JobRow(String name, String title, String options, boolean dryRunnable, String schedule,
			@Nullable String nextRun, @Nullable ExecutionDescriptor last) {

		/** The option by which a job previews what it would do. */
		static final String DRY_RUN = "dryRun";

		static JobRow of(JobDescriptor job) {
			ScheduleDetails schedule = job.schedule().details();
			String cron = (schedule != null)
					? schedule.cron() + " " + schedule.zone() + (schedule.enabled() ? "" : " (disabled)")
					: "not scheduled";
			String options = String.join(", ", job.options().stream().map(JobRow::option).toList());
			boolean dryRunnable = job.options().stream().anyMatch((option) -> DRY_RUN.equals(option.name()));
			return new JobRow(job.name(), job.title(), options, dryRunnable, cron,
					(schedule != null) ? schedule.nextFireTime() : null,
					job.executions().isEmpty() ? null : job.executions().get(0));
		}

		private static String option(OptionDescriptor option) {
			return option.name()
					+ ((option.defaultValue() != null) ? " (" + option.defaultValue() + ")" : " (required)");
		}

	}

	/**
	 * One line of a breakdown of the latest report.
	 *
	 * @param name the bucket or status
	 * @param keys its keys
	 * @param bytes their memory
	 * @param share its share of all keys of the breakdown, in percent
	 */
	record Bucket(String name, long keys, long bytes, long share) {

		static List<Bucket> of(Map<String, Object> buckets) {
			long total = buckets.values().stream().mapToLong((bucket) -> number(map(bucket).get("keys"))).sum();
			return buckets.entrySet().stream().map((entry) -> {
				long keys = number(map(entry.getValue()).get("keys"));
				return new Bucket(entry.getKey(), keys, number(map(entry.getValue()).get("bytes")),
						(total > 0) ? Math.round(keys * 100.0 / total) : 0);
			}).toList();
		}

	}

}
