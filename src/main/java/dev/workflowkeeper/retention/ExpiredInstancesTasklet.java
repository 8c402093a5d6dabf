package dev.workflowkeeper.retention;

import java.time.LocalDateTime;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Deletes from the job history the instances whose executions all ended before a cut-off,
 * with their executions, step executions and contexts
 * ({@link JobRepository#deleteJobInstance}). An instance with an execution still running
 * (or left running by a dead process), or without any execution, is kept. One call judges
 * one page of one job's instances, newest first, in the step's transaction; the position
 * is kept in the step's ExecutionContext, so a restart goes on from it. Counts go to the
 * job's ExecutionContext ({@value #DELETED}, {@value #KEPT}). Not thread-safe.
 */
class ExpiredInstancesTasklet implements Tasklet {

	/** Job ExecutionContext key: instances deleted (or that a dry run would delete). */
	static final String DELETED = "prune.instancesDeleted";

	/** Job ExecutionContext key: instances judged and kept. */
	static final String KEPT = "prune.instancesKept";

	/**
	 * Step ExecutionContext key: the last job (by name) whose instances were all judged.
	 */
	private static final String DONE = "prune.position.jobDone";

	/**
	 * Step ExecutionContext key: the instances of the job in progress judged and kept so
	 * far.
	 */
	private static final String OFFSET = "prune.position.offset";

	private static final Log logger = LogFactory.getLog(ExpiredInstancesTasklet.class);

	private final JobRepository jobRepository;

	private final LocalDateTime cutoff;

	private final int batchSize;

	private final boolean dryRun;

	ExpiredInstancesTasklet(JobRepository jobRepository, LocalDateTime cutoff, int batchSize, boolean dryRun) {
		this.jobRepository = jobRepository;
		this.cutoff = cutoff;
		this.batchSize = batchSize;
		this.dryRun = dryRun;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
		ExecutionContext position = chunkContext.getStepContext().getStepExecution().getExecutionContext();
		ExecutionContext counts = chunkContext.getStepContext()
			.getStepExecution()
			.getJobExecution()
			.getExecutionContext();
		// Jobs in name order, the position by name: a job whose last instance is deleted
		// drops out
		// of the list.
		String done = position.getString(DONE, "");
		String jobName = this.jobRepository.getJobNames()
			.stream()
			.filter((name) -> name.compareTo(done) > 0)
			.sorted()
			.findFirst()
			.orElse(null);
		if (jobName == null) {
			return RepeatStatus.FINISHED;
		}
		// Newest first: deleting an instance moves the later ones up, so the offset
		// counts only
		// the instances that stay.
		int offset = position.getInt(OFFSET, 0);
		List<JobInstance> page = this.jobRepository.getJobInstances(jobName, offset, this.batchSize);
		long deleted = 0;
		long kept = 0;
		for (JobInstance instance : page) {
			// Judged at delete time, in the transaction that deletes.
			List<JobExecution> executions = this.jobRepository.getJobExecutions(instance);
			if (expired(executions)) {
				deleted++;
				if (!this.dryRun) {
					this.jobRepository.deleteJobInstance(instance);
				}
				else {
					offset++;
				}
			}
			else {
				kept++;
				offset++;
			}
		}
		counts.putLong(DELETED, counts.getLong(DELETED, 0L) + deleted);
		counts.putLong(KEPT, counts.getLong(KEPT, 0L) + kept);
		contribution.incrementWriteCount(deleted);
		contribution.incrementFilterCount(kept);
		if (deleted > 0) {
			logger.info((this.dryRun ? "Would delete " : "Deleted ") + deleted + " instance(s) of " + jobName
					+ " that ended before " + this.cutoff);
		}
		if (page.size() < this.batchSize) {
			position.putString(DONE, jobName);
			position.putInt(OFFSET, 0);
		}
		else {
			position.putInt(OFFSET, offset);
		}
		return RepeatStatus.CONTINUABLE;
	}

	private boolean expired(List<JobExecution> executions) {
		if (executions.isEmpty()) {
			return false;
		}
		for (JobExecution execution : executions) {
			if (execution.isRunning() || execution.getEndTime() == null
					|| !execution.getEndTime().isBefore(this.cutoff)) {
				return false;
			}
		}
		return true;
	}

}
