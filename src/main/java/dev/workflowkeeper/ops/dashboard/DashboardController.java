package dev.workflowkeeper.ops.dashboard;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.TreeMap;

import dev.workflowkeeper.ops.WorkflowJobsEndpoint.ExecutionDescriptor;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.JobDescriptor;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.JobsDescriptor;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.OptionDescriptor;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.RecentExecutions;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint.ScheduleDetails;
import dev.workflowkeeper.ops.WorkflowJobsEndpoint;
import dev.workflowkeeper.ops.WorkflowReportEndpoint.ReportDescriptor;
import dev.workflowkeeper.ops.WorkflowReportEndpoint.StoreDescriptor;
import dev.workflowkeeper.ops.WorkflowReportEndpoint.TrendPoint;
import dev.workflowkeeper.ops.WorkflowReportEndpoint;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.batch.core.BatchStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * {@code GET /}: the operator's page, rendered on the server from what the actuator
 * endpoints answer — jobs with their last status and next run, the newest executions
 * (newest first, filtered by {@code ?job=} and {@code ?status=}, {@code ?limit=} of them,
 * with a link to more), the memory trend and the breakdowns of the latest report of the
 * default store, or of the store {@code ?store=} names. The trend travels in the page as
 * a JSON island for the charts. Works without scripts: the filters and the store are
 * plain forms and links.
 */
@Controller
class DashboardController {

	/**
	 * Executions shown in the "recent executions" table, and how many more a click adds.
	 */
	static final int RECENT_EXECUTIONS = 20;

	private static final List<String> STATUSES = Arrays.stream(BatchStatus.values()).map(BatchStatus::name).toList();

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final WorkflowJobsEndpoint jobsEndpoint;

	private final WorkflowReportEndpoint reportEndpoint;

	DashboardController(WorkflowJobsEndpoint jobsEndpoint, WorkflowReportEndpoint reportEndpoint) {
		this.jobsEndpoint = jobsEndpoint;
		this.reportEndpoint = reportEndpoint;
	}

	@GetMapping("/")
	String dashboard(@RequestParam(required = false) @Nullable String store,
			@RequestParam(required = false) @Nullable String job,
			@RequestParam(required = false) @Nullable String status,
			@RequestParam(required = false) @Nullable String limit, Model model) {
		JobsDescriptor jobList = this.jobsEndpoint.jobs();
		model.addAttribute("schedulingEnabled", jobList.schedulingEnabled());
		model.addAttribute("jobs", jobList.jobs().stream().map(JobRow::of).toList());
		model.addAttribute("fmt", new DashboardFormat());
		// the store asked for, masked: a password given in the address never reaches the
		// page, not even in its links
		String asked = (blankToNull(store) != null) ? this.reportEndpoint.store(store) : null;
		executions(model, jobList, asked, blankToNull(job), blankToNull(status), blankToNull(limit));
		memory(model, asked);
		return "dashboard";
	}

	/** The newest executions, filtered, and the filters' choices. */
	private void executions(Model model, JobsDescriptor jobList, @Nullable String store, @Nullable String job,
			@Nullable String status, @Nullable String limit) {
		List<String> notes = new ArrayList<>();
		List<String> jobNames = jobList.jobs().stream().map(JobDescriptor::name).toList();
		if (job != null && !jobNames.contains(job)) {
			notes.add("No job is named '" + job + "'; the jobs are " + String.join(", ", jobNames) + ".");
		}
		String statusFilter = (status != null) ? status.toUpperCase(Locale.ROOT) : null;
		if (statusFilter != null && !STATUSES.contains(statusFilter)) {
			notes.add("No status is named '" + status + "'; the statuses are " + String.join(", ", STATUSES) + ".");
		}
		int shown = RECENT_EXECUTIONS;
		if (limit != null) {
			try {
				shown = Integer.parseInt(limit.trim());
				if (shown < 1 || shown > WorkflowJobsEndpoint.MAX_RECENT) {
					throw new NumberFormatException();
				}
			}
			catch (NumberFormatException ex) {
				notes.add("The limit must be a number from 1 to " + WorkflowJobsEndpoint.MAX_RECENT + ", not '" + limit
						+ "'; showing " + RECENT_EXECUTIONS + ".");
				shown = RECENT_EXECUTIONS;
			}
		}
		RecentExecutions recent = this.jobsEndpoint.recentExecutions(job, statusFilter, shown);
		model.addAttribute("executions", recent.executions());
		model.addAttribute("executionsTotal", recent.total());
		model.addAttribute("executionNotes", notes);
		model.addAttribute("jobFilter", job);
		model.addAttribute("statusFilter", statusFilter);
		model.addAttribute("limit", shown);
		model.addAttribute("jobNames", jobNames);
		model.addAttribute("batchStatuses", STATUSES);
		boolean more = recent.total() > recent.executions().size() && shown < WorkflowJobsEndpoint.MAX_RECENT;
		model.addAttribute("moreUrl", more
				? query(store, job, statusFilter, Math.min(WorkflowJobsEndpoint.MAX_RECENT, shown + RECENT_EXECUTIONS))
				: null);
	}

	/** The latest report of the store asked for, else of the default store. */
	private void memory(Model model, @Nullable String store) {
		String selected = this.reportEndpoint.store(store);
		String defaultStore = this.reportEndpoint.defaultStore();
		Optional<ReportDescriptor> latest = this.reportEndpoint.latest(selected);
		Map<String, Object> report = latest.map(ReportDescriptor::report).orElse(null);
		List<TrendPoint> trend = latest.map(ReportDescriptor::trend).orElse(List.of());
		// the stores with reports, and the one shown and the default one even before
		// their first report
		Map<String, StoreOption> stores = new TreeMap<>();
		stores.put(defaultStore, new StoreOption(defaultStore, true, defaultStore.equals(selected)));
		stores.put(selected, new StoreOption(selected, selected.equals(defaultStore), true));
		for (StoreDescriptor described : latest.map(ReportDescriptor::stores).orElseGet(this.reportEndpoint::stores)) {
			stores.putIfAbsent(described.store(),
					new StoreOption(described.store(), described.defaultStore(), described.store().equals(selected)));
		}
		model.addAttribute("reportStore", selected);
		model.addAttribute("reportStoreIsDefault", selected.equals(defaultStore));
		model.addAttribute("defaultStore", defaultStore);
		model.addAttribute("reportStores", List.copyOf(stores.values()));
		model.addAttribute("report", report);
		model.addAttribute("valuesRead", report != null && !Boolean.FALSE.equals(report.get("values")));
		model.addAttribute("ttlBuckets", (report != null) ? Bucket.of(map(report.get("ttlBuckets"))) : List.of());
		model.addAttribute("statuses", (report != null) ? Bucket.of(map(report.get("byStatus"))) : List.of());
		model.addAttribute("trendJson", jsonIsland(trend));
		model.addAttribute("filterStore", store);
	}

	/** A query string of the page's parameters, those given. */
	static String query(@Nullable String store, @Nullable String job, @Nullable String status,
			@Nullable Integer limit) {
		StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("?");
		add(query, "store", store);
		add(query, "job", job);
		add(query, "status", status);
		add(query, "limit", (limit != null) ? limit.toString() : null);
		return query.toString();
	}

	private static void add(StringJoiner query, String name, @Nullable String value) {
		if (value != null) {
			query.add(name + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
		}
	}

	private static @Nullable String blankToNull(@Nullable String value) {
		return (value == null || value.isBlank()) ? null : value.trim();
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
	 * A store the page can show the report of.
	 *
	 * @param store its address, masked
	 * @param defaultStore whether it is the worker's default store
	 * @param selected whether the page shows it
	 */
	record StoreOption(String store, boolean defaultStore, boolean selected) {
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
