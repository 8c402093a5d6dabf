package dev.workflowkeeper.migration;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.cli.Boot;
import dev.workflowkeeper.cli.CommandErrors;
import dev.workflowkeeper.cli.HumanUnits;
import dev.workflowkeeper.cli.JobCommand;
import dev.workflowkeeper.cli.JobCommands;
import dev.workflowkeeper.cli.KeeperCommandLine;
import dev.workflowkeeper.cli.PaceOptions;
import dev.workflowkeeper.cli.UserFacingException;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.headroom.EvictionGuard.TargetMemoryExceededException;
import dev.workflowkeeper.headroom.TargetHeadroom.Addition;
import dev.workflowkeeper.migration.verify.VerificationResult;
import dev.workflowkeeper.pace.PaceSettings;
import dev.workflowkeeper.store.BrokenInputException;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.context.ConfigurableApplicationContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code migrate}: copies workflow states from one store to another, then verifies the
 * copy.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true, sortOptions = false, description = {
		"Copy workflow states from one store to another, then verify the copy.",
		"A store is redis://[user:password@]host:port/db, rediss://… (the same over TLS), redis-sentinel://host:port[,host:port…]/db#master (the master that Redis Sentinels name; rediss-sentinel:// over TLS), snapshot:PATH (a file, gzipped when PATH ends in .gz) or memory: (the worker's in-memory store).",
		"Running the same command again after a failure resumes it from its last checkpoint." },
		footer = { "", "Exit codes:", "  0 completed and verified.",
				"  1 failed: a broken or truncated input, too many rejects, a store error.",
				"  1 also when the verification found differences.",
				"  1 also when a Redis target filled up: stopped before it would evict.",
				"  2 a usage or configuration error, or a Redis target without room.",
				"  3 completed, but records were rejected (listed in the rejects report).",
				"After a failure, mend the cause and run the same command again: it resumes where it stopped.", "",
				"Examples:", "  migrate --from snapshot:states.json --to redis://localhost:6379/0",
				"  migrate --from redis://old:6379/0 --to redis://new:6379/0 --on-conflict newer",
				"  migrate --from redis://localhost:6379/0 --to snapshot:backup.jsonl.gz",
				"  migrate --from snapshot:states.json --to redis://localhost:6379/0 --dry-run" })
class MigrateCommand implements Callable<Integer>, JobCommand {

	private final Boot boot;

	@Option(names = "--from", required = true, paramLabel = "URI", description = "The store to copy from.")
	String from;

	@Option(names = "--to", required = true, paramLabel = "URI", description = "The store to copy to.")
	String to;

	@Option(names = "--ttl", paramLabel = "POLICY",
			description = "How each copy's TTL is set: preserve, from-age, reset, or a number of seconds. Default: preserve where the source holds expiries, from-age otherwise.")
	String ttl;

	@Option(names = "--on-conflict", paramLabel = "POLICY",
			description = "When the target already holds a state: skip (the target's state wins), overwrite, or newer (the later updated_at wins). Default: skip.")
	String onConflict;

	@Option(names = "--target-prefix", paramLabel = "PREFIX",
			description = "The key prefix in the target. Default: the configured one (KEEPER_KEY_PREFIX).")
	String targetPrefix;

	@Option(names = "--exclude-terminal", description = "Leave completed, failed and cancelled states behind.")
	boolean excludeTerminal;

	@Option(names = "--status", paramLabel = "STATUS", split = ",",
			description = "Copy only states with these statuses, separated by commas. Default: every status.")
	List<String> statuses = new ArrayList<>();

	@Option(names = "--dry-run",
			description = "Read and transform, write nothing; the counts say what would be written.")
	boolean dryRun;

	@Option(names = "--no-verify", negatable = false, description = "Skip the verification of the copy.")
	boolean noVerify;

	@Option(names = "--max-rejects", paramLabel = "N",
			description = "Rejected records the run tolerates (default 100; 0: none). One more fails the run; the same command with a higher limit resumes it.")
	Long maxRejects;

	@Mixin
	PaceOptions pace = new PaceOptions();

	MigrateCommand(Boot boot) {
		this.boot = boot;
	}

	@Override
	public String jobName() {
		return MigrationJob.NAME;
	}

	@Override
	public Integer call() throws Exception {
		try (ConfigurableApplicationContext context = this.boot.oneOff()) {
			JobParameters jobParameters = JobCommands.parameters(context, MigrationJob.NAME, options());
			MigrationParameters parameters = MigrationParameters.from(jobParameters);
			PaceSettings pace = PaceSettings.from(MigrationJob.NAME, jobParameters,
					context.getBean(KeeperProperties.class).redis().pace());
			MigrationJobDefinition definition = context.getBean(MigrationJobDefinition.class);
			if (context.getBean(JobRunner.class)
				.resumes(context.getBean(MigrationJob.NAME, Job.class), jobParameters)) {
				checkStores(definition, parameters);
			}
			else {
				JobCommands.preflight(context, MigrationJob.NAME, jobParameters);
			}
			Addition footprint = parameters.dryRun() ? definition.footprint(parameters) : Addition.NONE;
			MigrationJob.Outcome outcome = context.getBean(MigrationJob.class).run(parameters, pace);
			print(outcome, parameters, footprint);
			warnIfNoStatusMatched(outcome.counts(), parameters);
			if (!outcome.execution().getStatus().isUnsuccessful() && outcome.success()) {
				return outcome.rejected() ? KeeperCommandLine.REJECTS : KeeperCommandLine.OK;
			}
			if (outcome.execution().getStatus() != BatchStatus.COMPLETED) {
				Throwable failure = outcome.execution().getAllFailureExceptions().stream().findFirst().orElse(null);
				if (failure == null || (find(failure, BrokenInputException.class) == null
						&& find(failure, RejectsLimit.TooManyRejectsException.class) == null
						&& find(failure, TargetMemoryExceededException.class) == null)) {
					return JobCommands.failure(this.boot, context, outcome.execution());
				}
				CommandErrors.print(this.boot.err(), new UserFacingException(KeeperCommandLine.FAILED,
						failureLine(failure, outcome.counts()) + "; " + resumeHint(failure)
								+ " and run the same command again: it resumes from the last checkpoint",
						failure), this.boot.debug());
				return KeeperCommandLine.FAILED;
			}
			return KeeperCommandLine.FAILED;
		}
	}

	/**
	 * The one line of a failed run: for a broken input, where it broke and what was
	 * copied before; for too many rejects, the limit and the report.
	 */
	private static String failureLine(Throwable failure, MigrationCounts counts) {
		BrokenInputException broken = find(failure, BrokenInputException.class);
		if (broken != null) {
			return StoreUri.mask(broken.getMessage()) + String
				.format("; %,d states copied before it (the run failed there, not completed)", counts.written());
		}
		RejectsLimit.TooManyRejectsException tooMany = find(failure, RejectsLimit.TooManyRejectsException.class);
		if (tooMany != null) {
			return StoreUri.mask(tooMany.getMessage()) + ": the input looks wrong rather than a few damaged records"
					+ (counts.rejectsFile().isEmpty() ? "" : "; the rejects so far: " + counts.rejectsFile());
		}
		TargetMemoryExceededException full = find(failure, TargetMemoryExceededException.class);
		if (full != null) {
			return StoreUri.mask(full.getMessage()) + String
				.format("; %,d states copied before it (the run failed there, not completed)", counts.written());
		}
		return CommandErrors.oneLine(failure);
	}

	private static String resumeHint(Throwable failure) {
		if (find(failure, BrokenInputException.class) != null) {
			return "mend the input (put the whole file back)";
		}
		if (find(failure, RejectsLimit.TooManyRejectsException.class) != null) {
			return "mend the input or raise --max-rejects";
		}
		if (find(failure, TargetMemoryExceededException.class) != null) {
			return "make room in the target";
		}
		return "fix the cause";
	}

	private static <T extends Throwable> T find(Throwable failure, Class<T> type) {
		for (Throwable t = failure; t != null; t = t.getCause()) {
			if (type.isInstance(t)) {
				return type.cast(t);
			}
		}
		return null;
	}

	/**
	 * The options of the command, by the job's option names; absent ones take the job's
	 * defaults.
	 */
	Map<String, Object> options() {
		Map<String, Object> options = new LinkedHashMap<>();
		options.put("from", this.from);
		options.put("to", this.to);
		options.put("ttl", this.ttl);
		options.put("onConflict", this.onConflict);
		options.put("targetPrefix", this.targetPrefix);
		options.put("excludeTerminal", this.excludeTerminal);
		options.put("statuses", this.statuses.isEmpty() ? null : this.statuses);
		options.put("dryRun", this.dryRun);
		options.put("verify", !this.noVerify);
		options.put("maxRejects", this.maxRejects);
		this.pace.putInto(options);
		return options;
	}

	/**
	 * Opens both stores of a run that resumes, so that a wrong address or a target that
	 * cannot be written fails in one line before the job goes on; a new run is checked by
	 * the job's own preflight, as on every launch path.
	 */
	private static void checkStores(MigrationJobDefinition definition, MigrationParameters parameters) {
		try {
			definition.checkStores(parameters);
		}
		catch (RuntimeException ex) {
			throw new UserFacingException(KeeperCommandLine.USAGE, CommandErrors.oneLine(ex), ex);
		}
	}

	/**
	 * The service's statuses are an open set, so an unknown one cannot be refused up
	 * front; a {@code --status} that matched none of the states read says so rather than
	 * end as a quiet success with nothing copied.
	 */
	private void warnIfNoStatusMatched(MigrationCounts counts, MigrationParameters parameters) {
		long matched = counts.read() - counts.filtered() - counts.rejected();
		if (!parameters.statuses().isEmpty() && counts.read() > 0 && matched <= 0) {
			this.boot.err()
				.printf("warning: no state of the %,d read has the status %s (compared ignoring case): nothing was copied;"
						+ " 'report' lists the statuses the source holds%n", counts.read(),
						String.join(" or ", parameters.statuses().stream().sorted().toList()));
			this.boot.err().flush();
		}
	}

	private void print(MigrationJob.Outcome outcome, MigrationParameters parameters, Addition footprint) {
		JobExecution execution = outcome.execution();
		MigrationCounts counts = outcome.counts();
		var out = this.boot.out();
		out.printf("migration %s → %s: %s (execution %d, %s)%n", parameters.from().masked(), parameters.to().masked(),
				execution.getStatus(), execution.getId(), execution.getExitStatus().getExitCode());
		out.printf("  read %,d  %s %,d  kept existing %,d  expired %,d  filtered %,d  rejected %,d%n", counts.read(),
				parameters.dryRun() ? "would write" : "written", counts.written(), counts.keptExisting(),
				counts.expired(), counts.filtered(), counts.rejected());
		if (counts.rejected() > 0 && !counts.rejectsFile().isEmpty()) {
			out.printf("  rejects: %s%n", counts.rejectsFile());
		}
		if (outcome.rejected() && outcome.success()) {
			out.printf("  %,d record%s rejected: see the rejects report; the other states were copied%n",
					counts.rejected(), (counts.rejected() == 1) ? " was" : "s were");
		}
		VerificationResult verification = counts.verification();
		if (verification != null) {
			out.printf(
					"  verify: %,d expected, %,d in target: %,d matched, %,d missing, %,d mismatched, %,d TTL drift, %,d extra%n",
					verification.expected(), verification.target(), verification.matched(), verification.missing(),
					verification.mismatched(), verification.ttlDrift(), verification.extra());
			out.printf(
					"  explained: %,d kept by the conflict policy, %,d extra held before, %,d expired before copy, %,d expired after copy%n",
					verification.keptByPolicy(), verification.extraPreExisting(), verification.expiredBeforeCopy(),
					verification.expiredAfterCopy());
		}
		else if (parameters.dryRun()) {
			out.println("  dry run: nothing was written");
		}
		if (parameters.dryRun() && footprint.states() > 0) {
			out.printf("  the target would take about %s more for %,d states (estimated from the source)%n",
					HumanUnits.bytes(footprint.bytes()), footprint.states());
		}
		out.flush();
	}

}
