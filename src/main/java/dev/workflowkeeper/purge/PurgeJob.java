package dev.workflowkeeper.purge;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.maintenance.MaintenanceStores;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.stereotype.Component;

/** Runs the stale-state purge on a store; a failed run of the same options is resumed. */
@Component
public class PurgeJob {

	/** The job's name in the history database. */
	public static final String NAME = "purgeStatesJob";

	private final Job purgeStatesJob;

	private final JobRunner jobRunner;

	private final PurgeJobDefinition definition;

	PurgeJob(Job purgeStatesJob, JobRunner jobRunner, PurgeJobDefinition definition) {
		this.purgeStatesJob = purgeStatesJob;
		this.jobRunner = jobRunner;
		this.definition = definition;
	}

	/**
	 * Runs with these options, read by the job's definition; a {@code null} takes the
	 * default.
	 * @param store the store, or {@code null} for the default one
	 * @param staleAfter or {@code null} for the configured one (twice the TTL by default)
	 * @param terminalRetention or {@code null} for the configured one
	 * @param dryRun judge and count, delete nothing
	 * @param archive archive the states before deleting them
	 * @param force delete even past the share guard
	 * @param includeUnparseable delete string values that are not JSON objects too
	 */
	public JobExecution run(String store, Duration staleAfter, Duration terminalRetention, boolean dryRun,
			boolean archive, boolean force, boolean includeUnparseable) throws Exception {
		Map<String, Object> options = new HashMap<>();
		options.put(MaintenanceStores.STORE, store);
		options.put(PurgeParameters.STALE_AFTER, staleAfter);
		options.put(PurgeParameters.TERMINAL_RETENTION, terminalRetention);
		options.put(PurgeParameters.DRY_RUN, dryRun);
		options.put(PurgeParameters.ARCHIVE, archive);
		options.put(PurgeParameters.FORCE, force);
		options.put(PurgeParameters.INCLUDE_UNPARSEABLE, includeUnparseable);
		return run(this.definition.parametersOf(options));
	}

	/**
	 * Runs a purge with the parameters its definition made of the options of the command.
	 */
	public JobExecution run(JobParameters parameters) throws Exception {
		return this.jobRunner.run(this.purgeStatesJob, parameters);
	}

}
