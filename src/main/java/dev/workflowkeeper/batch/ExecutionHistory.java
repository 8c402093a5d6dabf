package dev.workflowkeeper.batch;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.stereotype.Component;

/**
 * Reads recent job executions from the history database, as records fit for printing.
 * Parameter values are masked again on the way out, whatever was stored.
 */
@Component
public class ExecutionHistory {

	private final JobRepository jobRepository;

	public ExecutionHistory(JobRepository jobRepository) {
		this.jobRepository = jobRepository;
	}

	/** The latest {@code limit} executions of every job, newest first. */
	public List<ExecutionSummary> recent(int limit) {
		List<ExecutionSummary> summaries = new ArrayList<>();
		for (String jobName : this.jobRepository.getJobNames()) {
			for (JobInstance instance : this.jobRepository.getJobInstances(jobName, 0, limit)) {
				for (JobExecution execution : this.jobRepository.getJobExecutions(instance)) {
					summaries.add(summarize(execution));
				}
			}
		}
		summaries.sort(Comparator.comparingLong(ExecutionSummary::id).reversed());
		return summaries.subList(0, Math.min(limit, summaries.size()));
	}

	public static ExecutionSummary summarize(JobExecution execution) {
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
		return new ExecutionSummary(execution.getId(), execution.getJobInstance().getJobName(), parameters,
				execution.getStatus().name(), execution.getExitStatus().getExitCode(),
				StoreUri.mask(execution.getExitStatus().getExitDescription()), read, written, skipped, filtered, start,
				end, duration, figures);
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
	 */
	public record ExecutionSummary(long id, String job, Map<String, String> parameters, String status, String exitCode,
			String exitDescription, long read, long written, long skipped, long filtered, LocalDateTime start,
			LocalDateTime end, Duration duration, Map<String, Long> figures) {
	}

}
