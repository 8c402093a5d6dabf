package dev.workflowkeeper.migration;

import dev.workflowkeeper.migration.verify.VerificationResult;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.stereotype.Component;

/**
 * Gives a completed migration its exit status: {@code DIFFERENCES} when verification
 * found any, else {@code COMPLETED WITH REJECTS} when records were rejected, else
 * {@code COMPLETED}, with the counts as the exit description.
 */
@Component
class MigrationOutcomeListener implements JobExecutionListener {

	/** Exit code of a run whose verification found differences. */
	static final String DIFFERENCES = "DIFFERENCES";

	/** Exit code of a run that copied all it could but rejected records. */
	static final String COMPLETED_WITH_REJECTS = "COMPLETED WITH REJECTS";

	@Override
	public void afterJob(JobExecution jobExecution) {
		if (jobExecution.getStatus() != BatchStatus.COMPLETED) {
			return;
		}
		MigrationCounts counts = MigrationCounts.of(jobExecution);
		String description = String.format("read %d, written %d, kept %d, expired %d, filtered %d, rejected %d",
				counts.read(), counts.written(), counts.keptExisting(), counts.expired(), counts.filtered(),
				counts.rejected());
		VerificationResult verification = counts.verification();
		if (verification != null) {
			description += "; " + verification.summary();
		}
		String code = (verification != null && !verification.clean()) ? DIFFERENCES
				: (counts.rejected() > 0) ? COMPLETED_WITH_REJECTS : ExitStatus.COMPLETED.getExitCode();
		jobExecution.setExitStatus(new ExitStatus(code, description));
	}

}
