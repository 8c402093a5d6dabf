package dev.workflowkeeper.ops;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.workflowkeeper.batch.ExecutionHistory.ExecutionSummary;
import dev.workflowkeeper.batch.ExecutionHistory;
import dev.workflowkeeper.batch.HistoryQueries;
import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.scheduling.ScheduleRegistry.ScheduleStatus;
import dev.workflowkeeper.scheduling.ScheduleRegistry;
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
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/workflowjobs}: every job with its schedule and latest executions, one
 * job's history page by page, and one execution with its steps. Parameters and
 * descriptions are masked.
 * <p>
 * Write operations, through {@link JobControl}: {@code POST /actuator/workflowjobs/{job}}
 * with a JSON object of options launches a job in the background; {@code POST
 * /actuator/workflowjobs/executions/{id}/stop}, {@code /restart} and {@code /abandon} act
 * on one execution; each answers a {@link LaunchedJob}. Every refusal, of a read or a
 * write, answers an {@link ErrorBody} with 400, 404, 409 or 503.
 * <p>
 * The descriptors are not Boot's {@code OperationResponseBody}: the application's JSON
 * mapper writes them, not the actuator's own one, which leaves out every {@code null}. A
 * {@code null} component is written as {@code null} (the end of a running execution),
 * unless the component is marked to be left out.
 */
@Component
@Endpoint(id = "workflowjobs")
public class WorkflowJobsEndpoint {

	static final int RECENT = 5;

	static final int MAX_PAGE_SIZE = 100;

	/** The most executions {@link #recentExecutions} lists. */
	public static final int MAX_RECENT = 500;

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
	public JobsDescriptor jobs() {
		ScheduleRegistry registry = this.schedules.getIfAvailable();
		List<JobDescriptor> jobs = new ArrayList<>();
		for (String name : this.jobs.keySet()) {
			JobDefinition definition = this.definitions.get(name);
			jobs.add(new JobDescriptor(name, definition.title(), options(definition), schedule(registry, name),
					executions(name, 0, RECENT)));
		}
		return new JobsDescriptor(registry != null, jobs);
	}

	/**
	 * The newest executions of every job (or of one), of any status (or of one), newest
	 * first, at most {@code limit} (up to {@value #MAX_RECENT}); and how many there are
	 * in all. For the dashboard.
	 */
	public RecentExecutions recentExecutions(@Nullable String job, @Nullable String status, int limit) {
		List<ExecutionDescriptor> executions = new ArrayList<>();
		for (Long id : this.history.recentExecutionIds(job, status, Math.min(MAX_RECENT, Math.max(1, limit)))) {
			JobExecution execution = this.jobRepository.getJobExecution(id);
			if (execution != null) {
				executions.add(ExecutionDescriptor.of(ExecutionHistory.summarize(execution, this.definitions)));
			}
		}
		return new RecentExecutions(this.history.recentExecutionCount(job, status), executions);
	}

	/**
	 * One job's executions, newest first, {@code size} (at most {@value #MAX_PAGE_SIZE})
	 * a page: a {@link JobPageDescriptor}, or an {@link ErrorBody} for an unknown job.
	 */
	@ReadOperation
	public WebEndpointResponse<Object> job(@Selector String job, @Nullable Integer page, @Nullable Integer size) {
		if (!this.jobs.containsKey(job)) {
			return notFound("no job named '" + job + "'; known jobs: " + String.join(", ", this.jobs.keySet()));
		}
		int pageNumber = Math.max(0, (page != null) ? page : 0);
		int pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, (size != null) ? size : 20));
		JobDefinition definition = this.definitions.get(job);
		return ok(new JobPageDescriptor(job, definition.title(), options(definition),
				schedule(this.schedules.getIfAvailable(), job), pageNumber, pageSize, this.history.executionCount(job),
				executions(job, pageNumber * pageSize, pageSize)));
	}

	/**
	 * {@code executions/{id}}: one execution with its steps, masked parameters and
	 * figures, an {@link ExecutionDetailsDescriptor}; or an {@link ErrorBody}.
	 */
	@ReadOperation
	public WebEndpointResponse<Object> execution(@Selector String kind, @Selector String id) {
		if (!EXECUTIONS.equals(kind)) {
			return notFound("unknown path '" + kind + "/" + id + "'; expected executions/{id}");
		}
		// Batch 6's repository throws rather than answer null for an id it does not hold.
		Optional<JobExecution> found = parseId(id).filter(this::exists).map(this.jobRepository::getJobExecution);
		if (found.isEmpty()) {
			return notFound("no job execution with id '" + id + "'");
		}
		JobExecution execution = found.get();
		ExecutionSummary summary = ExecutionHistory.summarize(execution, this.definitions);
		Object rejects = execution.getExecutionContext().get("migrate.rejectsFile");
		List<StepDescriptor> steps = execution.getStepExecutions().stream().map(StepDescriptor::of).toList();
		return ok(new ExecutionDetailsDescriptor(ExecutionDescriptor.of(summary), summary.parameters(),
				(rejects instanceof String file && !file.isBlank()) ? file : null, steps));
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
			return refused(ErrorBody.of(ex));
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
			return refused(ErrorBody.of(ex));
		}
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
			values = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(values));
		}

	}

	/**
	 * Every job the worker runs.
	 *
	 * @param schedulingEnabled whether this worker fires schedules at all
	 * @param jobs the jobs, by name
	 */
	public record JobsDescriptor(boolean schedulingEnabled, List<JobDescriptor> jobs) {
	}

	/**
	 * One job in the list of every job.
	 *
	 * @param name the job's name
	 * @param title what it does
	 * @param options the options it takes
	 * @param schedule its schedule, if a schedule file names it
	 * @param executions its last {@value #RECENT} executions, newest first
	 */
	public record JobDescriptor(String name, String title, List<OptionDescriptor> options, ScheduleDescriptor schedule,
			List<ExecutionDescriptor> executions) {
	}

	/**
	 * The newest executions across jobs.
	 *
	 * @param total how many executions match, all told
	 * @param executions the newest of them, newest first
	 */
	public record RecentExecutions(long total, List<ExecutionDescriptor> executions) {
	}

	/**
	 * One page of one job's executions.
	 *
	 * @param name the job's name
	 * @param title what it does
	 * @param options the options it takes
	 * @param schedule its schedule, if a schedule file names it
	 * @param page the page number, from 0
	 * @param size executions a page
	 * @param total all its executions in the history
	 * @param executions the page's executions, newest first
	 */
	public record JobPageDescriptor(String name, String title, List<OptionDescriptor> options,
			ScheduleDescriptor schedule, int page, int size, long total, List<ExecutionDescriptor> executions) {
	}

	/**
	 * One option a job takes.
	 *
	 * @param name its name, as a launch body's key
	 * @param type its kind, in lower case ({@code boolean}, {@code duration}, …)
	 * @param defaultValue its default, {@code null} when the option is required
	 * @param required whether a launch must give it
	 * @param help what it does
	 */
	public record OptionDescriptor(String name, String type, @JsonProperty("default") @Nullable String defaultValue,
			boolean required, String help) {

		static OptionDescriptor of(JobOption option) {
			return new OptionDescriptor(option.name(), option.type().name().toLowerCase(Locale.ROOT),
					option.defaultValue(), option.isRequired(), option.help());
		}

	}

	/**
	 * A job's schedule: {@code {"scheduled": false}} for a job no schedule file names,
	 * else {@code scheduled} and the schedule's fields side by side.
	 *
	 * @param scheduled whether a schedule file names the job
	 * @param details the schedule, {@code null} (and left out) when there is none
	 */
	public record ScheduleDescriptor(boolean scheduled, @JsonUnwrapped @Nullable ScheduleDetails details) {

		static ScheduleDescriptor of(@Nullable ScheduleStatus status) {
			if (status == null) {
				return new ScheduleDescriptor(false, null);
			}
			return new ScheduleDescriptor(true,
					new ScheduleDetails(status.schedule(), status.zone().getId(), status.enabled(),
							(status.nextFireTime() != null) ? status.nextFireTime().toString() : null, status.file()));
		}

	}

	/**
	 * The schedule file's side of a job's schedule.
	 *
	 * @param cron its cron expression
	 * @param zone the time zone of the expression
	 * @param enabled whether it fires
	 * @param nextFireTime its next slot, {@code null} when disabled
	 * @param file the file it comes from
	 */
	public record ScheduleDetails(String cron, String zone, boolean enabled, @Nullable String nextFireTime,
			String file) {
	}

	/**
	 * One execution in a job list or page.
	 *
	 * @param id the execution's id
	 * @param job its job's name
	 * @param status its batch status
	 * @param exitCode its exit code
	 * @param exitDescription its exit description, masked
	 * @param start when it started, {@code null} before
	 * @param end when it ended, {@code null} while it runs
	 * @param durationMillis its time so far, {@code null} before it started
	 * @param read items read, over all steps
	 * @param written items written
	 * @param skipped items skipped
	 * @param filtered items filtered
	 * @param figures the job's own counts, by name
	 */
	public record ExecutionDescriptor(long id, String job, String status, String exitCode, String exitDescription,
			@Nullable String start, @Nullable String end, @Nullable Long durationMillis, long read, long written,
			long skipped, long filtered, Map<String, Long> figures, String description, String outcome) {

		static ExecutionDescriptor of(ExecutionSummary summary) {
			Duration duration = summary.duration();
			return new ExecutionDescriptor(summary.id(), summary.job(), summary.status(), summary.exitCode(),
					summary.exitDescription(), text(summary.start()), text(summary.end()),
					(duration != null) ? duration.toMillis() : null, summary.read(), summary.written(),
					summary.skipped(), summary.filtered(), summary.figures(), summary.description(), summary.outcome());
		}

	}

	/**
	 * One execution on its own: the fields of an {@link ExecutionDescriptor}, then its
	 * parameters, rejects file and steps.
	 *
	 * @param execution what the lists show of it
	 * @param parameters its job parameters, masked
	 * @param rejectsFile the file a migration wrote its rejected states to, left out when
	 * there is none
	 * @param steps its steps, in order
	 */
	public record ExecutionDetailsDescriptor(@JsonUnwrapped ExecutionDescriptor execution,
			Map<String, String> parameters, @JsonInclude(JsonInclude.Include.NON_NULL) @Nullable String rejectsFile,
			List<StepDescriptor> steps) {
	}

	/**
	 * One step of an execution.
	 *
	 * @param id the step execution's id
	 * @param name the step's name
	 * @param status its batch status
	 * @param exitCode its exit code
	 * @param exitDescription its exit description, masked
	 * @param read items read
	 * @param written items written
	 * @param filtered items filtered
	 * @param skipped items skipped
	 * @param commits chunks committed
	 * @param rollbacks chunks rolled back
	 * @param start when it started, {@code null} before
	 * @param end when it ended, {@code null} while it runs
	 */
	public record StepDescriptor(long id, String name, String status, String exitCode, String exitDescription,
			long read, long written, long filtered, long skipped, long commits, long rollbacks, @Nullable String start,
			@Nullable String end) {

		static StepDescriptor of(StepExecution step) {
			return new StepDescriptor(step.getId(), step.getStepName(), step.getStatus().name(),
					step.getExitStatus().getExitCode(), StoreUri.mask(step.getExitStatus().getExitDescription()),
					step.getReadCount(), step.getWriteCount(), step.getFilterCount(), step.getSkipCount(),
					step.getCommitCount(), step.getRollbackCount(), text(step.getStartTime()), text(step.getEndTime()));
		}

	}

	private List<ExecutionDescriptor> executions(String job, int offset, int limit) {
		// Newest execution first across restarts of older instances, which instance order
		// would miss.
		List<Long> ids = this.history.executionIds(job, offset, limit);
		List<ExecutionDescriptor> executions = new ArrayList<>();
		for (Long id : ids) {
			JobExecution execution = this.jobRepository.getJobExecution(id);
			if (execution != null) {
				executions.add(ExecutionDescriptor.of(ExecutionHistory.summarize(execution, this.definitions)));
			}
		}
		return executions;
	}

	/** The options a job takes: name, kind, default and help of each. */
	private static List<OptionDescriptor> options(JobDefinition definition) {
		return definition.options().stream().map(OptionDescriptor::of).toList();
	}

	private static ScheduleDescriptor schedule(@Nullable ScheduleRegistry registry, String job) {
		Optional<ScheduleStatus> status = (registry != null)
				? registry.statuses().stream().filter((schedule) -> schedule.job().equals(job)).findFirst()
				: Optional.empty();
		return ScheduleDescriptor.of(status.orElse(null));
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

	private static @Nullable String text(@Nullable LocalDateTime time) {
		return (time != null) ? time.toString() : null;
	}

	private static WebEndpointResponse<Object> ok(Object body) {
		return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_OK);
	}

	/** The answer to a refused request: its status and one line, never a stack trace. */
	static WebEndpointResponse<Object> refused(ErrorBody error) {
		return new WebEndpointResponse<>(error, error.status());
	}

	static WebEndpointResponse<Object> notFound(String message) {
		return refused(ErrorBody.of(WebEndpointResponse.STATUS_NOT_FOUND, message));
	}

}
