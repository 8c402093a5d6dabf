package dev.workflowkeeper.migration;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.Set;

import dev.workflowkeeper.cli.KeeperCommandLine;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.headroom.TargetHeadroom.Addition;
import dev.workflowkeeper.headroom.TargetHeadroom;
import dev.workflowkeeper.headroom.TargetMemoryLimit;
import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobFigure;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.job.JobTexts;
import dev.workflowkeeper.job.OptionType;
import dev.workflowkeeper.migration.verify.VerificationResult;
import dev.workflowkeeper.pace.PaceSettings;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreAddresses;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStore;
import dev.workflowkeeper.store.WorkflowStores;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.stereotype.Component;

/** {@value MigrationJob#NAME}: its options, rules and figures. */
@Component
class MigrationJobDefinition implements JobDefinition {

	private final StoreAddresses addresses;

	private final WorkflowStores stores;

	private final KeeperProperties properties;

	MigrationJobDefinition(StoreAddresses addresses, WorkflowStores stores, KeeperProperties properties) {
		this.addresses = addresses;
		this.stores = stores;
		this.properties = properties;
	}

	@Override
	public String name() {
		return MigrationJob.NAME;
	}

	@Override
	public String title() {
		return "Copy workflow states from one store to another, then verify the copy";
	}

	@Override
	public List<JobOption> options() {
		List<JobOption> options = new ArrayList<>(List.of(
				JobOption.required(MigrationParameters.FROM, OptionType.STORE, "the source store"),
				JobOption.required(MigrationParameters.TO, OptionType.STORE, "the target store"),
				JobOption.of(MigrationParameters.TTL, OptionType.TEXT, "auto",
						"preserve | from-age | reset | SECONDS; auto: preserve where the source holds expiries, else from-age"),
				JobOption.of(MigrationParameters.ON_CONFLICT, OptionType.TEXT, "skip",
						"skip (the target's state wins) | overwrite | newer (the later updated_at wins)"),
				JobOption.of(MigrationParameters.TARGET_PREFIX, OptionType.TEXT, "keeper.key-prefix",
						"the key prefix in the target"),
				JobOption.of(MigrationParameters.EXCLUDE_TERMINAL, OptionType.BOOLEAN, "false",
						"leave completed, failed and cancelled states behind"),
				JobOption.of(MigrationParameters.STATUSES, OptionType.LIST, "all",
						"migrate only states with these statuses"),
				JobOption.of(MigrationParameters.DRY_RUN, OptionType.BOOLEAN, "false",
						"read and transform, write nothing"),
				JobOption.of(MigrationParameters.VERIFY, OptionType.BOOLEAN, "true",
						"compare source and target after the copy"),
				JobOption.of(MigrationParameters.MAX_REJECTS, OptionType.WHOLE,
						Long.toString(MigrationParameters.DEFAULT_MAX_REJECTS),
						"how many rejected records the run tolerates (0: none); one more fails it, and the same command with a higher limit resumes it")));
		options.addAll(PaceSettings.options());
		return options;
	}

	/**
	 * The rejects limit and the pace: the same command with a higher limit or another
	 * pace resumes the run, which goes on with them.
	 */
	@Override
	public Set<String> optionsRenewedOnResume() {
		Set<String> renewed = new HashSet<>(PaceSettings.NAMES);
		renewed.add(MigrationParameters.MAX_REJECTS);
		return Set.copyOf(renewed);
	}

	@Override
	public int exitCode(JobExecution execution) {
		return switch (execution.getExitStatus().getExitCode()) {
			case MigrationOutcomeListener.DIFFERENCES -> KeeperCommandLine.FAILED;
			case MigrationOutcomeListener.COMPLETED_WITH_REJECTS -> KeeperCommandLine.REJECTS;
			default -> KeeperCommandLine.OK;
		};
	}

	/**
	 * The options of a launch as the parameters record (the addresses in full,
	 * remembered).
	 */
	private MigrationParameters read(JobOptions options) {
		MigrationParameters parameters = MigrationParameters.of(options, true);
		this.addresses.remember(parameters.from());
		this.addresses.remember(parameters.to());
		return parameters;
	}

	/**
	 * The job parameters of a launch: the migration's, and the pace it works both stores
	 * and its verification at.
	 */
	@Override
	public JobParameters parameters(JobOptions options) {
		MigrationParameters migration = read(options);
		PaceSettings pace = PaceSettings.read(options, this.properties.redis().pace());
		return withPace(migration, pace);
	}

	/** The job parameters of a migration at a pace. */
	static JobParameters withPace(MigrationParameters migration, PaceSettings pace) {
		return pace.addTo(new JobParametersBuilder(migration.toJobParameters())).toJobParameters();
	}

	@Override
	public void validate(JobParameters parameters) {
		MigrationParameters.from(parameters);
		// read under the job's name, so that a refusal names the job
		PaceSettings.read(JobOptions.ofParameters(name(), parameters), this.properties.redis().pace());
	}

	/**
	 * Opens both stores once and reads the first states of the source, so that a wrong
	 * address, a refused password or a target that cannot be written fails in one line
	 * before any job starts; then, unless it is a dry run, refuses a run that would push
	 * a Redis target past {@code keeper.migration.max-target-memory}
	 * ({@link MigrationFootprint}), the figures in the line. On every launch path: the
	 * command, {@code run}, HTTP and the dashboard.
	 */
	@Override
	public void preflight(JobParameters parameters) {
		MigrationParameters migration = MigrationParameters.from(parameters);
		TargetMemoryLimit limit = TargetMemoryLimit.parse(this.properties.migration().maxTargetMemory());
		StoreUri to = this.addresses.resolve(migration.to().value());
		Addition addition;
		try (WorkflowStore source = this.stores.open(this.addresses.resolve(migration.from().value()))) {
			addition = MigrationFootprint.estimate(source, targetPrefix(migration), migration);
		}
		try (WorkflowStore target = this.stores.open(to)) {
			if (!migration.dryRun()) {
				target.checkWritable(migration.onConflict());
				TargetHeadroom.checkMemory(target, to, addition, limit, "the migration", "migrate fewer states");
			}
		}
	}

	/**
	 * What the run of these parameters would add to its target, estimated from the
	 * source; nothing for a target that is not a Redis.
	 */
	Addition footprint(MigrationParameters migration) {
		if (migration.to().kind() != StoreUri.Kind.REDIS) {
			return Addition.NONE;
		}
		try (WorkflowStore source = this.stores.open(this.addresses.resolve(migration.from().value()))) {
			return MigrationFootprint.estimate(source, targetPrefix(migration), migration);
		}
	}

	/**
	 * Opens both stores once, as a resumed run finds them: a wrong address or a target
	 * that cannot be written fails in one line before the job goes on. The target's room
	 * is not checked again (it already holds part of the copy); the run's own guard stops
	 * it before eviction.
	 */
	void checkStores(MigrationParameters migration) {
		try (WorkflowStore source = this.stores.open(this.addresses.resolve(migration.from().value()))) {
			MigrationFootprint.estimate(source, targetPrefix(migration), migration);
		}
		try (WorkflowStore target = this.stores.open(this.addresses.resolve(migration.to().value()))) {
			if (!migration.dryRun()) {
				target.checkWritable(migration.onConflict());
			}
		}
	}

	private String targetPrefix(MigrationParameters migration) {
		return (migration.targetPrefix() != null) ? migration.targetPrefix() : this.properties.keyPrefix();
	}

	@Override
	public List<JobFigure> figures() {
		return List.of(JobFigure.shown(MigrationCounts.READ, "read"),
				JobFigure.shown(MigrationCounts.WRITTEN, "written"),
				JobFigure.shown(MigrationCounts.KEPT_EXISTING, "kept existing"),
				JobFigure.shown(MigrationCounts.EXPIRED, "expired"),
				JobFigure.shown(MigrationCounts.FILTERED, "filtered"),
				JobFigure.shown(MigrationCounts.REJECTED, "rejected"),
				JobFigure.shown(MigrationCounts.VERIFY_PREFIX + "missing", "missing in the target"),
				JobFigure.shown(MigrationCounts.VERIFY_PREFIX + "mismatched", "mismatched"));
	}

	@Override
	public String describe(JobParameters parameters) {
		MigrationParameters migration = MigrationParameters.from(parameters);
		return "copy " + migration.from().masked() + " to " + migration.to().masked()
				+ ((migration.onConflict() != ConflictPolicy.SKIP)
						? ", " + migration.onConflict().name().toLowerCase(Locale.ROOT) + " on conflict" : "")
				+ (migration.excludeTerminal() ? ", without finished states" : "")
				+ (migration.statuses().isEmpty() ? ""
						: ", statuses " + String.join(",", new TreeSet<>(migration.statuses())))
				+ (migration.verify() ? "" : ", not verified");
	}

	/**
	 * {@code read 19,773, written 19,770, rejected 3}, what else was left behind, and
	 * what verification found.
	 */
	@Override
	public String outcome(JobExecution execution) {
		MigrationCounts counts = MigrationCounts.of(execution);
		StringBuilder line = new StringBuilder("read ").append(JobTexts.count(counts.read()))
			.append(dryRun(execution.getJobParameters()) ? ", would write " : ", written ")
			.append(JobTexts.count(counts.written()))
			.append(", rejected ")
			.append(JobTexts.count(counts.rejected()));
		if (counts.keptExisting() > 0) {
			line.append(", kept existing ").append(JobTexts.count(counts.keptExisting()));
		}
		if (counts.expired() > 0) {
			line.append(", expired ").append(JobTexts.count(counts.expired()));
		}
		if (counts.filtered() > 0) {
			line.append(", filtered ").append(JobTexts.count(counts.filtered()));
		}
		VerificationResult verification = counts.verification();
		if (verification != null) {
			line.append(verification.clean() ? ", verified"
					: ", " + JobTexts.count(verification.differences()) + " differences (" + verification.missing()
							+ " missing, " + verification.mismatched() + " mismatched, " + verification.ttlDrift()
							+ " TTL drift, " + verification.extra() + " extra)");
		}
		return line.toString();
	}

}
