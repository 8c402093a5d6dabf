package dev.workflowkeeper.purge;

import java.time.Duration;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.maintenance.MaintenanceStores;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * The options of one purge.
 *
 * @param store the store, masked ({@link MaintenanceStores#parameter})
 * @param staleAfter a state not updated for longer is stale (whole seconds, positive)
 * @param terminalRetention how long a finished state is kept (whole seconds, positive)
 * @param maxShare the largest share of the scanned states a purge deletes without
 * {@code force}; above 0, at most 1
 * @param dryRun judge and count, delete nothing
 * @param archive archive each state before deleting it
 * @param force delete even past the share guard
 * @param includeUnparseable delete string values that are not JSON objects too
 */
public record PurgeParameters(String store, Duration staleAfter, Duration terminalRetention, double maxShare,
		boolean dryRun, boolean archive, boolean force, boolean includeUnparseable) {

	static final String STALE_AFTER = "staleAfter";

	static final String TERMINAL_RETENTION = "terminalRetention";

	static final String MAX_SHARE = "maxShare";

	static final String DRY_RUN = "dryRun";

	static final String ARCHIVE = "archive";

	static final String FORCE = "force";

	static final String INCLUDE_UNPARSEABLE = "includeUnparseable";

	public PurgeParameters {
		staleAfter = Duration.ofSeconds(staleAfter.toSeconds());
		terminalRetention = Duration.ofSeconds(terminalRetention.toSeconds());
	}

	/** The identifying job parameters of these options (durations in seconds). */
	public JobParameters toJobParameters() {
		return new JobParametersBuilder().addString(MaintenanceStores.STORE, this.store)
			.addLong(STALE_AFTER, this.staleAfter.toSeconds())
			.addLong(TERMINAL_RETENTION, this.terminalRetention.toSeconds())
			.addDouble(MAX_SHARE, this.maxShare)
			.addString(DRY_RUN, Boolean.toString(this.dryRun))
			.addString(ARCHIVE, Boolean.toString(this.archive))
			.addString(FORCE, Boolean.toString(this.force))
			.addString(INCLUDE_UNPARSEABLE, Boolean.toString(this.includeUnparseable))
			.toJobParameters();
	}

	/**
	 * Reads the options back from job parameters.
	 * @throws dev.workflowkeeper.job.JobOptionException when one is missing, of the wrong
	 * kind, or refused by the rules
	 */
	public static PurgeParameters from(JobParameters parameters) {
		JobOptions stored = JobOptions.ofParameters(PurgeJob.NAME, parameters);
		return of(stored, MaintenanceStores.storeParameter(stored), null);
	}

	/**
	 * The options of a launch, the rules checked.
	 * @param store the store parameter
	 * @param defaults the configured defaults, or {@code null} when every option must be
	 * given
	 */
	static PurgeParameters of(JobOptions options, String store, KeeperProperties defaults) {
		Duration staleAfter = options.duration(STALE_AFTER, (defaults != null) ? defaults.staleAfter() : null);
		Duration terminal = options.duration(TERMINAL_RETENTION,
				(defaults != null) ? defaults.maintenance().terminalRetention() : null);
		double maxShare = options.number(MAX_SHARE, (defaults != null) ? defaults.maintenance().purgeMaxShare() : null);
		if (!(maxShare > 0 && maxShare <= 1)) {
			throw options.bad(MAX_SHARE, "a share above 0 and at most 1");
		}
		Boolean no = (defaults != null) ? Boolean.FALSE : null;
		Boolean yes = (defaults != null) ? Boolean.TRUE : null;
		return new PurgeParameters(store, staleAfter, terminal, maxShare, options.bool(DRY_RUN, no),
				options.bool(ARCHIVE, yes), options.bool(FORCE, no), options.bool(INCLUDE_UNPARSEABLE, no));
	}

}
