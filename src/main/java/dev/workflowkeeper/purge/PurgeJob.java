package dev.workflowkeeper.purge;

import java.time.Duration;

import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.maintenance.MaintenanceStores;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.stereotype.Component;

/** Runs the stale-state purge on a store; a failed run of the same options is resumed. */
@Component
public class PurgeJob {

	/** The job's name in the history database. */
	public static final String NAME = "purgeStatesJob";

	private final Job purgeStatesJob;

	private final JobRunner jobRunner;

	private final MaintenanceStores stores;

	private final KeeperProperties properties;

	public PurgeJob(Job purgeStatesJob, JobRunner jobRunner, MaintenanceStores stores, KeeperProperties properties) {
		this.purgeStatesJob = purgeStatesJob;
		this.jobRunner = jobRunner;
		this.stores = stores;
		this.properties = properties;
	}

	/**
	 * @param store the store, or {@code null} for the default one
	 * @param staleAfter or {@code null} for the configured one (twice the TTL by default)
	 * @param terminalRetention or {@code null} for the configured one
	 * @param dryRun judge and count, delete nothing
	 * @param archive archive the states before deleting them
	 * @param force delete even past the share guard
	 * @param includeUnparseable delete string values that are not JSON objects too
	 */
	public JobExecution run(String store, Duration staleAfter, Duration terminalRetention, boolean dryRun, boolean archive,
			boolean force, boolean includeUnparseable) throws Exception {
		return this.jobRunner.run(this.purgeStatesJob, parameters(this.properties, this.stores.parameter(store),
				staleAfter, terminalRetention, null, dryRun, archive, force, includeUnparseable));
	}

	/**
	 * The parameters of a run, as the command and the operator's launch record them; a {@code null}
	 * duration or share takes the configured one.
	 * @param store the store parameter ({@link MaintenanceStores#parameter})
	 * @throws IllegalArgumentException when {@code maxShare} is not above 0 and at most 1
	 */
	public static JobParameters parameters(KeeperProperties properties, String store, Duration staleAfter,
			Duration terminalRetention, Double maxShare, boolean dryRun, boolean archive, boolean force,
			boolean includeUnparseable) {
		Duration stale = (staleAfter != null) ? staleAfter : properties.staleAfter();
		Duration terminal = (terminalRetention != null) ? terminalRetention : properties.maintenance().terminalRetention();
		double share = (maxShare != null) ? maxShare : properties.maintenance().purgeMaxShare();
		if (!(share > 0 && share <= 1)) {
			throw new IllegalArgumentException("maxShare must be a share above 0 and at most 1, not " + share);
		}
		return new JobParametersBuilder().addString(MaintenanceStores.STORE, store)
			.addLong("staleAfter", stale.toSeconds())
			.addLong("terminalRetention", terminal.toSeconds())
			.addDouble("maxShare", share)
			.addString("dryRun", Boolean.toString(dryRun))
			.addString("archive", Boolean.toString(archive))
			.addString("force", Boolean.toString(force))
			.addString("includeUnparseable", Boolean.toString(includeUnparseable))
			.toJobParameters();
	}

}
