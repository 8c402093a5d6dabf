package dev.workflowkeeper.migration;

import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.pace.PaceSettings;
import dev.workflowkeeper.store.StoreAddresses;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.stereotype.Component;

/**
 * Runs the migration job for a set of options: resumes the latest run of the same options
 * when it did not complete, else starts a new one.
 */
@Component
public class MigrationJob {

	/** The job's name in the history database. */
	public static final String NAME = "migrateStatesJob";

	private final Job migrateStatesJob;

	private final JobRunner jobRunner;

	private final StoreAddresses addresses;

	public MigrationJob(Job migrateStatesJob, JobRunner jobRunner, StoreAddresses addresses) {
		this.migrateStatesJob = migrateStatesJob;
		this.jobRunner = jobRunner;
		this.addresses = addresses;
	}

	/**
	 * Runs a migration at {@code pace} to its end and tells how it went; a resumed run
	 * goes on at this pace.
	 */
	public Outcome run(MigrationParameters parameters, PaceSettings pace) throws Exception {
		this.addresses.remember(parameters.from());
		this.addresses.remember(parameters.to());
		JobExecution execution = this.jobRunner.run(this.migrateStatesJob,
				MigrationJobDefinition.withPace(parameters, pace));
		return new Outcome(execution, MigrationCounts.of(execution));
	}

	/**
	 * A finished migration.
	 *
	 * @param execution the job execution, as stored
	 * @param counts what it did
	 */
	public record Outcome(JobExecution execution, MigrationCounts counts) {

		/** Completed, and verification (when it ran) found no difference. */
		public boolean success() {
			return this.execution.getStatus() == BatchStatus.COMPLETED
					&& !MigrationOutcomeListener.DIFFERENCES.equals(this.execution.getExitStatus().getExitCode());
		}

		/** Completed with rejected records. */
		public boolean rejected() {
			return MigrationOutcomeListener.COMPLETED_WITH_REJECTS.equals(this.execution.getExitStatus().getExitCode());
		}

	}

}
