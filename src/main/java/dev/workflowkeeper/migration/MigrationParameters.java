package dev.workflowkeeper.migration;

import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import dev.workflowkeeper.job.JobOptionException;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * The options of one migration, and their form as job parameters. Store addresses are
 * kept masked: a password never reaches the history database (the unmasked address is
 * known only to the process that launched the run, see
 * {@link dev.workflowkeeper.store.StoreAddresses}).
 *
 * @param from the source store
 * @param to the target store
 * @param ttl how target expiries are computed
 * @param onConflict what to do when the target already holds a state
 * @param targetPrefix the key prefix in the target, or {@code null} for the configured
 * one
 * @param excludeTerminal leave completed, failed and cancelled states behind
 * @param statuses migrate only states with one of these statuses; empty for all
 * @param dryRun read and transform, write nothing
 * @param verify compare source and target after the copy
 * @param maxRejects how many rejected records the run tolerates; one more fails it. Not
 * identifying: the same command with a higher limit resumes the same run
 */
public record MigrationParameters(StoreUri from, StoreUri to, TtlPolicy ttl, ConflictPolicy onConflict,
		String targetPrefix, boolean excludeTerminal, Set<String> statuses, boolean dryRun, boolean verify,
		long maxRejects) {

	/**
	 * Rejects a run tolerates unless told otherwise: a few damaged records, not a wrong
	 * input.
	 */
	public static final long DEFAULT_MAX_REJECTS = 100;

	static final String FROM = "from";

	static final String TO = "to";

	static final String TTL = "ttl";

	static final String ON_CONFLICT = "onConflict";

	static final String TARGET_PREFIX = "targetPrefix";

	static final String EXCLUDE_TERMINAL = "excludeTerminal";

	static final String STATUSES = "statuses";

	static final String DRY_RUN = "dryRun";

	static final String VERIFY = "verify";

	static final String MAX_REJECTS = "maxRejects";

	public MigrationParameters {
		statuses = Set.copyOf(statuses);
	}

	/**
	 * The job parameters of these options, without {@link #RUN}: all identifying but
	 * {@code maxRejects}.
	 */
	public JobParameters toJobParameters() {
		return new JobParametersBuilder().addString(FROM, this.from.masked())
			.addString(TO, this.to.masked())
			.addString(TTL, this.ttl.text())
			.addString(ON_CONFLICT, this.onConflict.name().toLowerCase(Locale.ROOT))
			.addString(TARGET_PREFIX, (this.targetPrefix != null) ? this.targetPrefix : "")
			.addString(EXCLUDE_TERMINAL, Boolean.toString(this.excludeTerminal))
			.addString(STATUSES, this.statuses.stream().sorted().collect(Collectors.joining(",")))
			.addString(DRY_RUN, Boolean.toString(this.dryRun))
			.addString(VERIFY, Boolean.toString(this.verify))
			.addLong(MAX_REJECTS, this.maxRejects, false)
			.toJobParameters();
	}

	/**
	 * Reads the options back from job parameters (with the addresses as stored: masked).
	 * @throws dev.workflowkeeper.job.JobOptionException when one is missing, of the wrong
	 * kind, or refused by the rules
	 */
	public static MigrationParameters from(JobParameters parameters) {
		return of(JobOptions.ofParameters(MigrationJob.NAME, parameters), false);
	}

	/**
	 * The options of a launch, the rules checked.
	 * @param defaults fill the options not given with their defaults; else every one must
	 * be given
	 * @throws dev.workflowkeeper.job.JobOptionException a value of the wrong kind, or one
	 * the rules refuse
	 */
	public static MigrationParameters of(JobOptions options, boolean defaults) {
		StoreUri from = options.store(FROM, true);
		StoreUri to = options.store(TO, true);
		TtlPolicy ttl;
		try {
			ttl = TtlPolicy.parse(options.text(TTL, defaults ? "auto" : null));
		}
		catch (JobOptionException ex) {
			throw ex;
		}
		catch (IllegalArgumentException ex) {
			throw options.bad(TTL, "preserve, from-age, reset, auto or a positive number of seconds");
		}
		String conflict = options.text(ON_CONFLICT, defaults ? "skip" : null);
		ConflictPolicy onConflict;
		try {
			onConflict = ConflictPolicy.valueOf(conflict.trim().toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw options.bad(ON_CONFLICT, "skip, overwrite or newer");
		}
		String prefix = options.has(TARGET_PREFIX) ? options.text(TARGET_PREFIX, null).trim() : null;
		if (prefix != null && prefix.isEmpty()) {
			prefix = null;
		}
		if (from.value().equals(to.value()) && prefix == null) {
			throw new JobOptionException(options.job() + ": options from and to name the same store (" + from.masked()
					+ "): nothing to migrate");
		}
		Boolean no = defaults ? Boolean.FALSE : null;
		// runs stored before the option existed have none: they take the default
		long maxRejects = options.whole(MAX_REJECTS, DEFAULT_MAX_REJECTS);
		if (maxRejects < 0) {
			throw options.bad(MAX_REJECTS, "a whole number, 0 or more");
		}
		return new MigrationParameters(from, to, ttl, onConflict, prefix, options.bool(EXCLUDE_TERMINAL, no),
				options.words(STATUSES), options.bool(DRY_RUN, no),
				options.bool(VERIFY, defaults ? Boolean.TRUE : null), maxRejects);
	}

	/** Whether a state with these fields is left behind by the filters. */
	public boolean filtersOut(String status, boolean terminal) {
		if (this.excludeTerminal && terminal) {
			return true;
		}
		return !this.statuses.isEmpty() && (status == null || !this.statuses.contains(status.toLowerCase(Locale.ROOT)));
	}

}
