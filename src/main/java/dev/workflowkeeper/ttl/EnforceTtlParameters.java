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
 * @param spread how far below the TTL it gives (the maximum, or the service's TTL) the
 * expiries the run sets may land, each key at its own place in the window, so that they
 * do not all fall in the same second (whole seconds); zero for none, never more than half
 * the service's TTL
 * @param fromAge a state without a TTL gets what its {@code updated_at} leaves of the
 * service's TTL
 * @param dryRun count what would change, change nothing
 */
public record EnforceTtlParameters(String store, Duration maxTtl, Duration spread, boolean fromAge, boolean dryRun) {

	static final String MAX_TTL = "maxTtl";

	static final String SPREAD = "spread";

	static final String FROM_AGE = "fromAge";

	static final String DRY_RUN = "dryRun";

	/** The longest default spread, whatever the service's TTL. */
	static final Duration MAX_DEFAULT_SPREAD = Duration.ofHours(1);

	public EnforceTtlParameters {
		maxTtl = Duration.ofSeconds(maxTtl.toSeconds());
		spread = Duration.ofSeconds(spread.toSeconds());
	}

	/** The identifying job parameters of these options (durations in seconds). */
	public JobParameters toJobParameters() {
		return new JobParametersBuilder().addString(MaintenanceStores.STORE, this.store)
			.addLong(MAX_TTL, this.maxTtl.toSeconds())
			.addLong(SPREAD, this.spread.toSeconds())
			.addString(FROM_AGE, Boolean.toString(this.fromAge))
			.addString(DRY_RUN, Boolean.toString(this.dryRun))
			.toJobParameters();
	}

	/**
	 * Reads the options back from job parameters; {@code stateTtl} is the service's TTL
	 * the maximum may not undercut. Parameters recorded before the spread existed have
	 * none: they read as a spread of zero, as those runs set their expiries.
	 * @throws dev.workflowkeeper.job.JobOptionException when one is missing, of the wrong
	 * kind, or refused by the rules
	 */
	public static EnforceTtlParameters from(JobParameters parameters, Duration stateTtl) {
		JobOptions stored = JobOptions.ofParameters(EnforceTtlJob.NAME, parameters);
		return of(stored, MaintenanceStores.storeParameter(stored), null, Duration.ZERO, stateTtl);
	}

	/**
	 * The spread when none is given: a tenth of the service's TTL, at most
	 * {@link #MAX_DEFAULT_SPREAD} (one hour of a 24-hour TTL).
	 */
	static Duration defaultSpread(Duration stateTtl) {
		Duration tenth = Duration.ofSeconds(stateTtl.toSeconds() / 10);
		return (tenth.compareTo(MAX_DEFAULT_SPREAD) < 0) ? tenth : MAX_DEFAULT_SPREAD;
	}

	/**
	 * The options of a launch, the rules checked.
	 * @param store the store parameter
	 * @param defaultMaxTtl the maximum when none is given, or {@code null} when it must
	 * be given
	 * @param defaultSpread the spread when none is given
	 * @param stateTtl the service's TTL ({@code WORKFLOW_STATE_TTL})
	 */
	static EnforceTtlParameters of(JobOptions options, String store, Duration defaultMaxTtl, Duration defaultSpread,
			Duration stateTtl) {
		Duration maxTtl = options.duration(MAX_TTL, defaultMaxTtl);
		if (maxTtl.toSeconds() < stateTtl.toSeconds()) {
			throw options.refuse(MAX_TTL, "of " + maxTtl.toSeconds() + "s is shorter than the service's TTL of "
					+ stateTtl.toSeconds() + "s (WORKFLOW_STATE_TTL): it would shorten what the service sets");
		}
		Duration spread = options.durationOrZero(SPREAD, defaultSpread);
		if (spread.getNano() != 0) {
			throw options.refuse(SPREAD, "of " + spread.toMillis() + "ms is not a whole number of seconds");
		}
		// a state filled with the service's TTL, less its share of the spread, keeps at
		// least half of it
		if (spread.toSeconds() > stateTtl.toSeconds() / 2) {
			throw options.refuse(SPREAD,
					"of " + spread.toSeconds() + "s is more than half the service's TTL of " + stateTtl.toSeconds()
							+ "s (WORKFLOW_STATE_TTL): a state could keep less than half of it; 0 spreads nothing");
		}
		Boolean fallback = (defaultMaxTtl != null) ? Boolean.FALSE : null;
		return new EnforceTtlParameters(store, maxTtl, spread, options.bool(FROM_AGE, fallback),
				options.bool(DRY_RUN, fallback));
	}

}
