package dev.workflowkeeper.batch;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.job.JobRunnerParameters;
import dev.workflowkeeper.pace.JobPace;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * Reads recent job executions from the history database, as records fit for printing:
 * each told by its job's definition, in the job's own figures. Parameter values are
 * masked again on the way out, whatever was stored.
 */
@Component
public class ExecutionHistory {

	/** The class name a stack trace's first line starts with. */
	private static final String EXCEPTION_CLASS = "^([a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*(Exception|Error): ";

	private final JobRepository jobRepository;

	private final JobDefinitions definitions;

	public ExecutionHistory(JobRepository jobRepository, ObjectProvider<JobDefinitions> definitions) {
		this.jobRepository = jobRepository;
		this.definitions = definitions.getIfAvailable();
	}

	/** The latest {@code limit} executions of every job, newest first. */
	public List<ExecutionSummary> recent(int limit) {
		List<ExecutionSummary> summaries = new ArrayList<>();
		for (String jobName : this.jobRepository.getJobNames()) {
			for (JobInstance instance : this.jobRepository.getJobInstances(jobName, 0, limit)) {
				for (JobExecution execution : this.jobRepository.getJobExecutions(instance)) {
					summaries.add(summarize(execution, this.definitions));
				}
			}
		}
		summaries.sort(Comparator.comparingLong(ExecutionSummary::id).reversed());
		return summaries.subList(0, Math.min(limit, summaries.size()));
	}

	/** One execution, without its job's description and outcome. */
	public static ExecutionSummary summarize(JobExecution execution) {
		return summarize(execution, null);
	}

	/**
	 * One execution, told by its job's definition when {@code definitions} know the job:
	 * what it did ({@link JobDefinition#describe}) and its own figures
	 * ({@link JobDefinition#outcome}).
	 */
	public static ExecutionSummary summarize(JobExecution execution, JobDefinitions definitions) {
		Map<String, String> parameters = new LinkedHashMap<>();
		for (JobParameter<?> parameter : execution.getJobParameters()) {
			parameters.put(parameter.name(), StoreUri.mask(String.valueOf(parameter.value())));
		}
		long read = 0, written = 0, skipped = 0, filtered = 0;
		for (StepExecution step : execution.getStepExecutions()) {
			read += step.getReadCount();
			written += step.getWriteCount();
			skipped += step.getSkipCount();
			filtered += step.getFilterCount();
		}
		LocalDateTime start = execution.getStartTime();
		LocalDateTime end = execution.getEndTime();
		Duration duration = (start != null) ? Duration.between(start, (end != null) ? end : LocalDateTime.now()) : null;
		Map<String, Long> figures = new java.util.TreeMap<>();
		for (Map.Entry<String, Object> entry : execution.getExecutionContext().entrySet()) {
			if (entry.getValue() instanceof Number number && entry.getKey().contains(".")
					&& !entry.getKey().startsWith("owner.") && !entry.getKey().startsWith("batch.")) {
				figures.put(entry.getKey(), number.longValue());
			}
		}
		String job = execution.getJobInstance().getJobName();
		JobDefinition definition = (definitions != null) ? definitions.find(job).orElse(null) : null;
		return new ExecutionSummary(execution.getId(), job, parameters, execution.getStatus().name(),
				execution.getExitStatus().getExitCode(), StoreUri.mask(execution.getExitStatus().getExitDescription()),
				read, written, skipped, filtered, start, end, duration, figures,
				StoreUri.mask(describe(definition, execution)), StoreUri.mask(outcome(definition, execution)));
	}

	/**
	 * What the execution was asked to do: its job's line, told as a dry run or a
	 * scheduled run (the job's title when its parameters are not what the job reads
	 * today), and, when it failed, why.
	 */
	private static String describe(JobDefinition definition, JobExecution execution) {
		if (definition == null) {
			return "";
		}
		JobParameters parameters = execution.getJobParameters();
		String line;
		try {
			line = definition.describe(parameters);
		}
		catch (RuntimeException ex) {
			// a run of options the job no longer reads: its title still says what it was
			line = definition.title();
		}
		boolean dryRun;
		try {
			dryRun = definition.dryRun(parameters);
		}
		catch (RuntimeException ex) {
			// the same: history shows it all the same, as not a dry run
			dryRun = false;
		}
		String failure = execution.getStatus().isUnsuccessful() ? failure(execution) : "";
		return (dryRun ? "dry run: " : "") + line
				+ ((parameters.getParameter(JobRunnerParameters.SLOT) != null) ? " (scheduled)" : "")
				+ (failure.isEmpty() ? "" : " — " + failure);
	}

	/**
	 * Why an execution failed, in one line: its exit description, or its failed step's,
	 * without the exception's class name and stack.
	 */
	private static String failure(JobExecution execution) {
		String description = execution.getExitStatus().getExitDescription();
		if (description == null || description.isBlank()) {
			description = execution.getStepExecutions()
				.stream()
				.filter((step) -> step.getStatus().isUnsuccessful())
				.map((step) -> step.getExitStatus().getExitDescription())
				.filter((text) -> text != null && !text.isBlank())
				.findFirst()
				.orElse("");
		}
		String first = description.strip().lines().findFirst().orElse("").replaceFirst(EXCEPTION_CLASS, "");
		return (first.length() > 160) ? first.substring(0, 157) + "..." : first;
	}

	/**
	 * The execution's own figures, as its job tells them; empty when the job cannot read
	 * them.
	 */
	private static String outcome(JobDefinition definition, JobExecution execution) {
		if (definition == null) {
			return "";
		}
		try {
			String outcome = definition.outcome(execution);
			String pace = JobPace.outcome(execution.getExecutionContext());
			return pace.isEmpty() ? outcome : outcome.isEmpty() ? pace : outcome + "; " + pace;
		}
		catch (RuntimeException ex) {
			// figures of an older version of the job: the raw figures are shown instead
			return "";
		}
	}

	/**
	 * One job execution.
	 *
	 * @param id execution id
	 * @param job job name
	 * @param parameters job parameters, secrets masked
	 * @param status batch status
	 * @param exitCode exit code
	 * @param exitDescription exit description (counts, or the failure)
	 * @param read items read, over all steps
	 * @param written items written
	 * @param skipped items skipped (rejected)
	 * @param filtered items filtered
	 * @param start start time, or null
	 * @param end end time, or null while running
	 * @param duration time taken so far
	 * @param figures the job's own counts ({@code migrate.written},
	 * {@code verify.missing}, …)
	 * @param description what the execution was asked to do, in one line
	 * ({@code dry run: purge redis://host:6379/0, stale after 48h, …}); empty when no job
	 * definition was at hand
	 * @param outcome what it did in its job's own figures, in one line
	 * ({@code scanned 5,007, deleted 1,803}); empty when no job definition was at hand
	 */
	public record ExecutionSummary(long id, String job, Map<String, String> parameters, String status, String exitCode,
			String exitDescription, long read, long written, long skipped, long filtered, LocalDateTime start,
			LocalDateTime end, Duration duration, Map<String, Long> figures, String description, String outcome) {
	}

}
