package dev.workflowkeeper.ttl;

import java.time.Duration;

import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.maintenance.MaintenanceStores;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * The options of one TTL enforcement run.
 *
 * @param store the store, masked ({@link MaintenanceStores#parameter})
 * @param maxTtl the longest TTL a state may keep (whole seconds); never shorter than the
 * service's TTL, which would shorten what the service sets
 * @param fromAge a state without a TTL gets what its {@code updated_at} leaves of the
 * service's TTL
 * @param dryRun count what would change, change nothing
 */
public record EnforceTtlParameters(String store, Duration maxTtl, boolean fromAge, boolean dryRun) {

	static final String MAX_TTL = "maxTtl";

	static final String FROM_AGE = "fromAge";

	static final String DRY_RUN = "dryRun";

	public EnforceTtlParameters {
		maxTtl = Duration.ofSeconds(maxTtl.toSeconds());
	}

	/** The identifying job parameters of these options (the maximum in seconds). */
	public JobParameters toJobParameters() {
		return new JobParametersBuilder().addString(MaintenanceStores.STORE, this.store)
			.addLong(MAX_TTL, this.maxTtl.toSeconds())
			.addString(FROM_AGE, Boolean.toString(this.fromAge))
			.addString(DRY_RUN, Boolean.toString(this.dryRun))
			.toJobParameters();
	}

	/**
	 * Reads the options back from job parameters; {@code stateTtl} is the service's TTL
	 * the maximum may not undercut.
	 * @throws dev.workflowkeeper.job.JobOptionException when one is missing, of the wrong
	 * kind, or refused by the rules
	 */
	public static EnforceTtlParameters from(JobParameters parameters, Duration stateTtl) {
		JobOptions stored = JobOptions.ofParameters(EnforceTtlJob.NAME, parameters);
		return of(stored, MaintenanceStores.storeParameter(stored), null, stateTtl);
	}

	/**
	 * The options of a launch, the rules checked.
	 * @param store the store parameter
	 * @param defaultMaxTtl the maximum when none is given, or {@code null} when it must
	 * be given
	 * @param stateTtl the service's TTL ({@code WORKFLOW_STATE_TTL})
	 */
	static EnforceTtlParameters of(JobOptions options, String store, Duration defaultMaxTtl, Duration stateTtl) {
		Duration maxTtl = options.duration(MAX_TTL, defaultMaxTtl);
		if (maxTtl.toSeconds() < stateTtl.toSeconds()) {
			throw options.refuse(MAX_TTL, "of " + maxTtl.toSeconds() + "s is shorter than the service's TTL of "
					+ stateTtl.toSeconds() + "s (WORKFLOW_STATE_TTL): it would shorten what the service sets");
		}
		Boolean fallback = (defaultMaxTtl != null) ? Boolean.FALSE : null;
		return new EnforceTtlParameters(store, maxTtl, options.bool(FROM_AGE, fallback),
				options.bool(DRY_RUN, fallback));
	}

}
