package dev.workflowkeeper.batch;

import java.time.LocalDateTime;

import dev.workflowkeeper.batch.ExecutionHistory.ExecutionSummary;
import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.job.JobRunnerParameters;
import dev.workflowkeeper.job.SimpleJobDefinition;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.step.StepExecution;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How history tells one execution: the line of its job's definition, marked as a dry run
 * or a scheduled run, with why it failed, and the job's own figures.
 */
class ExecutionHistoryTests {

	private static final JobDefinitions JOBS = SimpleJobDefinition.definitions("quickJob");

	@Test
	void shouldMarkADryRunAndAScheduledRun() {
		JobExecution execution = execution(new JobParametersBuilder().addString("dryRun", "true")
			.addLong("limit", 10L)
			.addString(JobRunnerParameters.SLOT, "2026-12-04T04:00:00Z")
			.toJobParameters());

		ExecutionSummary summary = ExecutionHistory.summarize(execution, JOBS);

		assertThat(summary.description()).isEqualTo("dry run: a job of the tests (scheduled)");
		assertThat(summary.parameters()).containsKey(JobRunnerParameters.SLOT);
	}

	@Test
	void shouldTellWhyAFailedRunFailedWithoutTheExceptionsClassOrStack() {
		JobExecution execution = execution(new JobParametersBuilder().addString("dryRun", "false")
			.addLong("limit", 10L)
			.addString(JobRunnerParameters.RUN, "4")
			.toJobParameters());
		execution.setStatus(BatchStatus.FAILED);
		StepExecution step = new StepExecution(7L, "quickStep", execution);
		step.setStatus(BatchStatus.FAILED);
		step.setExitStatus(new ExitStatus("FAILED",
				"java.lang.IllegalStateException: redis://user:secret@host:6379/0 went away\n\tat some.Frame(Frame.java:1)"));
		execution.addStepExecution(step);

		ExecutionSummary summary = ExecutionHistory.summarize(execution, JOBS);

		assertThat(summary.description()).isEqualTo("a job of the tests — redis://user:****@host:6379/0 went away");
	}

	@Test
	void shouldLeaveTheLinesEmptyForAJobNoDefinitionTells() {
		ExecutionSummary summary = ExecutionHistory.summarize(execution(new JobParameters()), JOBS);

		assertThat(summary.job()).isEqualTo("goneJob");
		assertThat(summary.description()).isEmpty();
		assertThat(summary.outcome()).isEmpty();
	}

	private static JobExecution execution(JobParameters parameters) {
		String job = parameters.isEmpty() ? "goneJob" : "quickJob";
		JobExecution execution = new JobExecution(2L, new JobInstance(1L, job), parameters);
		execution.setStartTime(LocalDateTime.now());
		return execution;
	}

}
