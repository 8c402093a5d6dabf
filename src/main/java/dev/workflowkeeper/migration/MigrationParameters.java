package dev.workflowkeeper.migration;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * The options of one migration, and their form as job parameters. Store addresses are kept masked:
 * a password never reaches the history database (the unmasked address is known only to the process
 * that launched the run, see {@link dev.workflowkeeper.store.StoreAddresses}).
 *
 * @param from the source store
 * @param to the target store
 * @param ttl how target expiries are computed
 * @param onConflict what to do when the target already holds a state
 * @param targetPrefix the key prefix in the target, or {@code null} for the configured one
 * @param excludeTerminal leave completed, failed and cancelled states behind
 * @param statuses migrate only states with one of these statuses; empty for all
 * @param dryRun read and transform, write nothing
 * @param verify compare source and target after the copy
 */
public record MigrationParameters(StoreUri from, StoreUri to, TtlPolicy ttl, ConflictPolicy onConflict,
		String targetPrefix, boolean excludeTerminal, Set<String> statuses, boolean dryRun, boolean verify) {

	static final String FROM = "from";

	static final String TO = "to";

	static final String TTL = "ttl";

	static final String ON_CONFLICT = "onConflict";

	static final String TARGET_PREFIX = "targetPrefix";

	static final String EXCLUDE_TERMINAL = "excludeTerminal";

	static final String STATUSES = "statuses";

	static final String DRY_RUN = "dryRun";

	static final String VERIFY = "verify";

	/** Identifies a new run of the same options once an earlier one has completed. */
	public static final String RUN = "run";

	public MigrationParameters {
		statuses = Set.copyOf(statuses);
	}

	/** The identifying job parameters of these options, without {@link #RUN}. */
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
			.toJobParameters();
	}

	/** Reads the options back from job parameters (with the addresses as stored: masked). */
	public static MigrationParameters of(JobParameters parameters) {
		String prefix = parameters.getString(TARGET_PREFIX);
		String statuses = parameters.getString(STATUSES);
		return new MigrationParameters(StoreUri.parse(parameters.getString(FROM)), StoreUri.parse(parameters.getString(TO)),
				TtlPolicy.parse(parameters.getString(TTL)),
				ConflictPolicy.valueOf(parameters.getString(ON_CONFLICT).toUpperCase(Locale.ROOT)),
				(prefix == null || prefix.isEmpty()) ? null : prefix,
				Boolean.parseBoolean(parameters.getString(EXCLUDE_TERMINAL)),
				(statuses == null || statuses.isEmpty()) ? Set.of()
						: new LinkedHashSet<>(Arrays.asList(statuses.split(","))),
				Boolean.parseBoolean(parameters.getString(DRY_RUN)), Boolean.parseBoolean(parameters.getString(VERIFY)));
	}

	/** Whether a state with these fields is left behind by the filters. */
	public boolean filtersOut(String status, boolean terminal) {
		if (this.excludeTerminal && terminal) {
			return true;
		}
		return !this.statuses.isEmpty() && (status == null || !this.statuses.contains(status.toLowerCase(Locale.ROOT)));
	}

}
