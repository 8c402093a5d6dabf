package dev.workflowkeeper.batch;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.stereotype.Component;

/**
 * Asks a running job execution to stop at its next chunk boundary, in whichever process
 * runs it: the execution is marked STOPPING in the history, and its running step sees
 * that when it commits its next chunk, then ends STOPPED with its position saved.
 * <p>
 * Not {@code JobOperator.stop}: in Spring Batch 6 it also writes the step execution as it
 * read it (status, counts and ExecutionContext, already stale) while the step still runs
 * and writes its own, so that a restart may resume from a position that does not match
 * what was written.
 */
@Component
public class JobStopper {

	private static final int ATTEMPTS = 5;

	private final JobRepository jobRepository;

	public JobStopper(JobRepository jobRepository) {
		this.jobRepository = jobRepository;
	}

	/**
	 * Marks the execution STOPPING.
	 * @return {@code false} when it was not running (any more)
	 */
	public boolean stop(long executionId) {
		for (int attempt = 1;; attempt++) {
			JobExecution execution = this.jobRepository.getJobExecution(executionId);
			if (execution == null || !execution.isRunning()) {
				return false;
			}
			if (execution.getStatus() == BatchStatus.STOPPING) {
				return true;
			}
			execution.setStatus(BatchStatus.STOPPING);
			try {
				this.jobRepository.update(execution);
				return true;
			}
			catch (OptimisticLockingFailureException ex) {
				// The running job updated its execution meanwhile: read it again.
				if (attempt >= ATTEMPTS) {
					throw ex;
				}
			}
		}
	}

}
