package dev.workflowkeeper.ops;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import dev.workflowkeeper.batch.ExecutionHistory;
import dev.workflowkeeper.batch.HistoryQueries;
import dev.workflowkeeper.batch.ExecutionHistory.ExecutionSummary;
import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.scheduling.ScheduleRegistry;
import dev.workflowkeeper.scheduling.ScheduleRegistry.ScheduleStatus;
import dev.workflowkeeper.store.StoreUri;
import org.jspecify.annotations.Nullable;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/workflowjobs}: every job with its schedule and latest executions, one
 * job's history page by page, and one execution with its steps. Parameters and
 * descriptions are masked.
 * <p>
 * Write operations, through {@link JobControl}: {@code POST /actuator/workflowjobs/{job}}
 * with a JSON object of options launches a job in the background; {@code POST
 * /actuator/workflowjobs/executions/{id}/stop}, {@code /restart} and {@code /abandon} act
 * on one execution. Refusals answer {@code {"status", "error", "message"}} with 400, 404
 * or 409.
 */
@Component
@Endpoint(id = "workflowjobs")
public class WorkflowJobsEndpoint {

	static final int RECENT = 5;

	static final int MAX_PAGE_SIZE = 100;

	private static final String EXECUTIONS = "executions";

	private final Map<String, Job> jobs = new TreeMap<>();

	private final JobRepository jobRepository;

	private final HistoryQueries history;

	private final ObjectProvider<ScheduleRegistry> schedules;

	private final JobControl jobControl;

	private final JobDefinitions definitions;

	public WorkflowJobsEndpoint(List<Job> jobs, JobRepository jobRepository, HistoryQueries history,
			ObjectProvider<ScheduleRegistry> schedules, JobControl jobControl, JobDefinitions definitions) {
		this.definitions = definitions;
		jobs.stream()
			.filter((job) -> definitions.find(job.getName()).isPresent())
			.forEach((job) -> this.jobs.put(job.getName(), job));
		this.jobRepository = jobRepository;
		this.history = history;
		this.schedules = schedules;
		this.jobControl = jobControl;
	}

	/** Every job, its schedule and its last {@value #RECENT} executions. */
	@ReadOperation
	public Map<String, Object> jobs() {
		ScheduleRegistry registry = this.schedules.getIfAvailable();
		List<Map<String, Object>> jobs = new ArrayList<>();
		for (String name : this.jobs.keySet()) {
			Map<String, Object> job = new LinkedHashMap<>();
			job.put("name", name);
			JobDefinition definition = this.definitions.get(name);
			job.put("title", definition.title());
			job.put("options", options(definition));
			job.put("schedule", schedule(registry, name));
			job.put("executions", executions(name, 0, RECENT).stream().map(WorkflowJobsEndpoint::execution).toList());
			jobs.add(job);
		}
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("schedulingEnabled", registry != null);
		body.put("jobs", jobs);
		return body;
	}

	/**
	 * One job's executions, newest first, {@code size} (at most {@value #MAX_PAGE_SIZE})
	 * a page.
	 */
	@ReadOperation
	public WebEndpointResponse<Map<String, Object>> job(@Selector String job, @Nullable Integer page,
			@Nullable Integer size) {
		if (!this.jobs.containsKey(job)) {
			return notFound("no job named '" + job + "'; known jobs: " + String.join(", ", this.jobs.keySet()));
		}
		int pageNumber = Math.max(0, (page != null) ? page : 0);
		int pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, (size != null) ? size : 20));
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", job);
		body.put("title", this.definitions.get(job).title());
		body.put("options", options(this.definitions.get(job)));
		body.put("schedule", schedule(this.schedules.getIfAvailable(), job));
		body.put("page", pageNumber);
		body.put("size", pageSize);
		body.put("total", this.history.executionCount(job));
		body.put("executions",
				executions(job, pageNumber * pageSize, pageSize).stream()
					.map(WorkflowJobsEndpoint::execution)
					.toList());
		return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_OK);
	}

	/**
	 * {@code executions/{id}}: one execution with its steps, masked parameters and
	 * figures.
	 */
	@ReadOperation
	public WebEndpointResponse<Map<String, Object>> execution(@Selector String kind, @Selector String id) {
		if (!EXECUTIONS.equals(kind)) {
			return notFound("unknown path '" + kind + "/" + id + "'; expected executions/{id}");
		}
		// Batch 6's repository throws rather than answer null for an id it does not hold.
		Optional<JobExecution> found = parseId(id).filter(this::exists).map(this.jobRepository::getJobExecution);
		if (found.isEmpty()) {
			return notFound("no job execution with id '" + id + "'");
		}
		JobExecution execution = found.get();
		Map<String, Object> body = execution(ExecutionHistory.summarize(execution));
		body.put("parameters", ExecutionHistory.summarize(execution).parameters());
		Object rejects = execution.getExecutionContext().get("migrate.rejectsFile");
		if (rejects instanceof String file && !file.isBlank()) {
			body.put("rejectsFile", file);
		}
		List<Map<String, Object>> steps = new ArrayList<>();
		for (StepExecution step : execution.getStepExecutions()) {
			Map<String, Object> view = new LinkedHashMap<>();
			view.put("id", step.getId());
			view.put("name", step.getStepName());
			view.put("status", step.getStatus().name());
			view.put("exitCode", step.getExitStatus().getExitCode());
			view.put("exitDescription", StoreUri.mask(step.getExitStatus().getExitDescription()));
			view.put("read", step.getReadCount());
			view.put("written", step.getWriteCount());
			view.put("filtered", step.getFilterCount());
			view.put("skipped", step.getSkipCount());
			view.put("commits", step.getCommitCount());
			view.put("rollbacks", step.getRollbackCount());
			view.put("start", text(step.getStartTime()));
			view.put("end", text(step.getEndTime()));
			steps.add(view);
		}
		body.put("steps", steps);
		return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_OK);
	}

	/**
	 * {@code POST {job}}: launches a new run of the job in the background with the
	 * options of the body (every key of the JSON object, see {@link JobOptions}); answers
	 * as soon as the execution is in the history.
	 */
	@WriteOperation
	public WebEndpointResponse<Object> launch(@Selector String job, JobOptions options) {
		try {
			return ok(this.jobControl.launch(job, options.values()));
		}
		catch (JobControlException ex) {
			return refused(ex);
		}
	}

	/** {@code POST executions/{id}/stop}, {@code …/restart}, {@code …/abandon}. */
	@WriteOperation
	public WebEndpointResponse<Object> control(@Selector String kind, @Selector String id, @Selector String action) {
		try {
			if (!EXECUTIONS.equals(kind)) {
				throw new UnknownJobException("unknown path '" + kind + "/" + id + "/" + action
						+ "'; expected executions/{id}/stop|restart|abandon");
			}
			long executionId = parseId(id)
				.orElseThrow(() -> new UnknownJobException("no job execution with id '" + id + "'"));
			switch (action) {
				case "stop" -> this.jobControl.stop(executionId);
				case "abandon" -> this.jobControl.abandon(executionId);
				case "restart" -> {
					return ok(this.jobControl.restart(executionId));
				}
				default ->
					throw new UnknownJobException("unknown action '" + action + "'; expected stop, restart or abandon");
			}
			JobExecution execution = this.jobControl.execution(executionId);
			return ok(new LaunchedJob(execution.getJobInstance().getJobName(), executionId,
					execution.getStatus().name()));
		}
		catch (JobControlException ex) {
			return refused(ex);
		}
	}

	private static WebEndpointResponse<Object> ok(LaunchedJob launched) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("job", launched.job());
		body.put("executionId", launched.executionId());
		body.put("status", launched.status());
		return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_OK);
	}

	/** The answer to a refused request: its status and one line, never a stack trace. */
	static WebEndpointResponse<Object> refused(JobControlException ex) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", ex.status());
		HttpStatus status = HttpStatus.resolve(ex.status());
		body.put("error", (status != null) ? status.getReasonPhrase() : "Error");
		body.put("message", StoreUri.mask(ex.getMessage()));
		return new WebEndpointResponse<>(body, ex.status());
	}

	/**
	 * The options of a launch: every key of the request body (and of the query string)
	 * that is not a path selector. Actuator binds body keys to parameters by name and
	 * drops the others; the {@link JobOptionsInvokerAdvisor} hands the whole set over
	 * instead, so that an unknown option is refused rather than ignored.
	 *
	 * @param values the options by name, values as JSON gave them (strings, booleans or
	 * numbers)
	 */
	public record JobOptions(Map<String, Object> values) {

		public JobOptions {
			values = Map.copyOf(values);
		}

	}

	private List<ExecutionSummary> executions(String job, int offset, int limit) {
		// Newest execution first across restarts of older instances, which instance order
		// would miss.
		List<Long> ids = this.history.executionIds(job, offset, limit);
		List<ExecutionSummary> summaries = new ArrayList<>();
		for (Long id : ids) {
			JobExecution execution = this.jobRepository.getJobExecution(id);
			if (execution != null) {
				summaries.add(ExecutionHistory.summarize(execution));
			}
		}
		return summaries;
	}

	static Map<String, Object> execution(ExecutionSummary summary) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("id", summary.id());
		view.put("job", summary.job());
		view.put("status", summary.status());
		view.put("exitCode", summary.exitCode());
		view.put("exitDescription", summary.exitDescription());
		view.put("start", text(summary.start()));
		view.put("end", text(summary.end()));
		Duration duration = summary.duration();
		view.put("durationMillis", (duration != null) ? duration.toMillis() : null);
		view.put("read", summary.read());
		view.put("written", summary.written());
		view.put("skipped", summary.skipped());
		view.put("filtered", summary.filtered());
		view.put("figures", summary.figures());
		return view;
	}

	/** The options a job takes: name, kind, default and help of each. */
	static List<Map<String, Object>> options(JobDefinition definition) {
		List<Map<String, Object>> options = new ArrayList<>();
		for (JobOption option : definition.options()) {
			Map<String, Object> view = new LinkedHashMap<>();
			view.put("name", option.name());
			view.put("type", option.type().name().toLowerCase(java.util.Locale.ROOT));
			view.put("default", option.defaultValue());
			view.put("required", option.isRequired());
			view.put("help", option.help());
			options.add(view);
		}
		return options;
	}

	private static Map<String, Object> schedule(ScheduleRegistry registry, String job) {
		Map<String, Object> view = new LinkedHashMap<>();
		Optional<ScheduleStatus> status = (registry != null)
				? registry.statuses().stream().filter((schedule) -> schedule.job().equals(job)).findFirst()
				: Optional.empty();
		view.put("scheduled", status.isPresent());
		status.ifPresent((schedule) -> {
			view.put("cron", schedule.schedule());
			view.put("zone", schedule.zone().getId());
			view.put("enabled", schedule.enabled());
			view.put("nextFireTime", (schedule.nextFireTime() != null) ? schedule.nextFireTime().toString() : null);
			view.put("file", schedule.file());
		});
		return view;
	}

	private boolean exists(long executionId) {
		return this.history.executionExists(executionId);
	}

	private static Optional<Long> parseId(String id) {
		try {
			return Optional.of(Long.parseLong(id));
		}
		catch (NumberFormatException ex) {
			return Optional.empty();
		}
	}

	private static String text(LocalDateTime time) {
		return (time != null) ? time.toString() : null;
	}

	static WebEndpointResponse<Map<String, Object>> notFound(String message) {
		return new WebEndpointResponse<>(Map.of("error", message), WebEndpointResponse.STATUS_NOT_FOUND);
	}

}
