package dev.workflowkeeper.retention;

import dev.workflowkeeper.job.JobOptions;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * The options of one run of the retention job.
 *
 * @param dryRun count what would be deleted, delete nothing
 */
public record PruneHistoryParameters(boolean dryRun) {

	static final String DRY_RUN = "dryRun";

	/** The identifying job parameters of these options. */
	public JobParameters toJobParameters() {
		return new JobParametersBuilder().addString(DRY_RUN, Boolean.toString(this.dryRun)).toJobParameters();
	}

	/**
	 * Reads the options back from job parameters.
	 * @throws dev.workflowkeeper.job.JobOptionException when one is missing or of the
	 * wrong kind
	 */
	public static PruneHistoryParameters from(JobParameters parameters) {
		return new PruneHistoryParameters(
				JobOptions.ofParameters(PruneHistoryJobConfiguration.JOB_NAME, parameters).bool(DRY_RUN, null));
	}

}
