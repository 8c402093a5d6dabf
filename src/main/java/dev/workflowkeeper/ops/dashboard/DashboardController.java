package dev.workflowkeeper.ops.dashboard;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.ops.WorkflowJobsEndpoint;
import dev.workflowkeeper.ops.WorkflowReportEndpoint;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
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
		Map<String, Object> jobList = this.jobsEndpoint.jobs();
		List<Map<String, Object>> jobs = maps(jobList.get("jobs"));
		model.addAttribute("schedulingEnabled", Boolean.TRUE.equals(jobList.get("schedulingEnabled")));
		model.addAttribute("jobs", jobs.stream().map(JobRow::of).toList());
		model.addAttribute("executions", recentExecutions(jobs));
		WebEndpointResponse<Map<String, Object>> latest = this.reportEndpoint.report();
		Map<String, Object> report = (latest.getStatus() == WebEndpointResponse.STATUS_OK)
				? map(latest.getBody().get("report")) : null;
		List<Map<String, Object>> trend = (report != null) ? maps(latest.getBody().get("trend")) : List.of();
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
	private static List<Map<String, Object>> recentExecutions(List<Map<String, Object>> jobs) {
		List<Map<String, Object>> executions = new ArrayList<>();
		jobs.forEach((job) -> executions.addAll(maps(job.get("executions"))));
		executions
			.sort(Comparator.comparingLong((Map<String, Object> execution) -> number(execution.get("id"))).reversed());
		return executions.subList(0, Math.min(RECENT_EXECUTIONS, executions.size()));
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

	@SuppressWarnings("unchecked")
	static List<Map<String, Object>> maps(Object value) {
		return (value instanceof List<?> list) ? (List<Map<String, Object>>) list : List.of();
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
	 * @param schedule its cron expression and zone, or why it has none
	 * @param nextRun the next fire time, or {@code null}
	 * @param last its latest execution, or {@code null}
	 */
	record JobRow(String name, String title, String options, String schedule, String nextRun,
			Map<String, Object> last) {

		static JobRow of(Map<String, Object> job) {
			Map<String, Object> schedule = map(job.get("schedule"));
			String cron;
			if (!Boolean.TRUE.equals(schedule.get("scheduled"))) {
				cron = "not scheduled";
			}
			else {
				cron = schedule.get("cron") + " " + schedule.get("zone")
						+ (Boolean.TRUE.equals(schedule.get("enabled")) ? "" : " (disabled)");
			}
			List<Map<String, Object>> executions = maps(job.get("executions"));
			String options = String.join(", ", maps(job.get("options")).stream()
				.map((option) -> option.get("name")
						+ ((option.get("default") != null) ? " (" + option.get("default") + ")" : " (required)"))
				.toList());
			return new JobRow((String) job.get("name"), (String) job.get("title"), options, cron,
					(String) schedule.get("nextFireTime"), executions.isEmpty() ? null : executions.get(0));
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
