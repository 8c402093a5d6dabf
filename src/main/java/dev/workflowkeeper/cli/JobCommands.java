package dev.workflowkeeper.cli;

import java.util.Map;

import dev.workflowkeeper.batch.GracefulJobShutdown;
import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.maintenance.MaintenanceStores;
import org.jspecify.annotations.Nullable;
import dev.workflowkeeper.store.StoreInUseException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStores;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * What the job commands share: reading their options through the job, and telling a
 * failed run.
 */
public final class JobCommands {

	private JobCommands() {
	}

	/**
	 * The job parameters of a launch of {@code job} with the options given on the command
	 * line (by the job's option names; absent ones take the job's defaults), read and
	 * checked by the job's definition as every launch path reads them.
	 * @throws UserFacingException (usage) with the job's one-line refusal
	 */
	public static JobParameters parameters(ConfigurableApplicationContext context, String job, Map<String, ?> options) {
		try {
			return context.getBean(JobDefinitions.class).get(job).parametersOf(options);
		}
		catch (IllegalArgumentException ex) {
			throw new UserFacingException(KeeperCommandLine.USAGE, ex.getMessage(), ex);
		}
	}

	/**
	 * Runs a maintenance job with the options of its command: read and checked by the
	 * job's definition, the store opened once (a wrong address or password fails in one
	 * line before the job starts), then run — resuming the latest run of the same options
	 * when it did not complete.
	 * @throws UserFacingException (usage) for options the job refuses or a store it
	 * cannot open
	 */
	public static JobExecution runOnStore(ConfigurableApplicationContext context, String job, Map<String, ?> options)
			throws Exception {
		JobParameters parameters = parameters(context, job, options);
		Object store = options.get(MaintenanceStores.STORE);
		preflight(context, (store != null) ? store.toString() : null);
		return context.getBean(JobRunner.class).run(context.getBean(job, Job.class), parameters);
	}

	/**
	 * Opens the store once, so that a wrong address or password fails in one line before
	 * any job starts.
	 */
	public static void preflight(ConfigurableApplicationContext context, String store) {
		MaintenanceStores stores = context.getBean(MaintenanceStores.class);
		try {
			stores.open(stores.parameter(store)).close();
		}
		catch (RuntimeException ex) {
			throw new UserFacingException(KeeperCommandLine.USAGE, CommandErrors.oneLine(ex), ex);
		}
	}

	/**
	 * Runs the job's own checks of its stores before a new run
	 * ({@link dev.workflowkeeper.job.JobDefinition#preflight}): what it refuses fails in
	 * one line, exit 2, and no run is recorded.
	 */
	public static void preflight(ConfigurableApplicationContext context, String job, JobParameters parameters) {
		try {
			context.getBean(JobDefinitions.class).get(job).preflight(parameters);
		}
		catch (RuntimeException ex) {
			throw new UserFacingException(KeeperCommandLine.USAGE, CommandErrors.oneLine(ex), ex);
		}
	}

	/**
	 * Takes the {@code memory:} store for this process when a parameter names it, before
	 * the job starts: one that another process owns is refused in one line and no run is
	 * recorded.
	 * @throws UserFacingException (usage) when another process owns it
	 */
	public static void claimMemoryStore(ConfigurableApplicationContext context, JobParameters parameters) {
		try {
			context.getBean(WorkflowStores.class).claimMemoryStore(parameters);
		}
		catch (StoreInUseException ex) {
			throw new UserFacingException(KeeperCommandLine.USAGE, ex.getMessage(), ex);
		}
	}

	/**
	 * Prints the status of a run that did not complete, then why, and returns the exit
	 * code; without the application at hand, a run stopped by a signal exits
	 * {@value KeeperCommandLine#FAILED}.
	 */
	public static int failed(Boot boot, JobExecution execution) {
		return failed(boot, null, execution);
	}

	/**
	 * Prints the status of a run that did not complete, then why, and returns the exit
	 * code.
	 * @see #failure(Boot, ConfigurableApplicationContext, JobExecution)
	 */
	public static int failed(Boot boot, @Nullable ConfigurableApplicationContext context, JobExecution execution) {
		boot.out()
			.printf("%s: %s (execution %d, %s)%n", execution.getJobInstance().getJobName(), execution.getStatus(),
					execution.getId(), execution.getExitStatus().getExitCode());
		boot.out().flush();
		return failure(boot, context, execution);
	}

	/**
	 * Prints the one {@code error:} line of a run that did not complete and returns the
	 * exit code: a run stopped by Ctrl-C or SIGTERM says so and exits 128 + the signal's
	 * number (130, 143), as a shell expects, and one stopped from elsewhere
	 * ({@code history stop}) exits {@value KeeperCommandLine#FAILED}; both resume when
	 * the same command runs again. A failed run tells its cause; a configuration it
	 * refused exits {@value KeeperCommandLine#USAGE}, any other failure
	 * {@value KeeperCommandLine#FAILED} with how to resume.
	 */
	public static int failure(Boot boot, @Nullable ConfigurableApplicationContext context, JobExecution execution) {
		return failure(boot, context, execution, "run the same command again");
	}

	/**
	 * As {@link #failure(Boot, ConfigurableApplicationContext, JobExecution)}, with what
	 * resumes the run ({@code history restart N} for a run that was itself a restart).
	 */
	public static int failure(Boot boot, @Nullable ConfigurableApplicationContext context, JobExecution execution,
			String again) {
		String job = execution.getJobInstance().getJobName();
		if (execution.getStatus() == BatchStatus.STOPPED || execution.getStatus() == BatchStatus.STOPPING) {
			boot.err()
				.printf("error: %s was stopped at a chunk boundary (execution %d); %s to resume%n", job,
						execution.getId(), again);
			boot.err().flush();
			int signal = (context != null) ? context.getBean(GracefulJobShutdown.class).signalNumber() : 0;
			return (signal > 0) ? 128 + signal : KeeperCommandLine.FAILED;
		}
		Throwable cause = execution.getAllFailureExceptions().stream().findFirst().orElse(null);
		if (cause == null) {
			// read back from the history: the failure is known by its exit description
			// only
			String description = execution.getExitStatus().getExitDescription();
			String reason = (description == null || description.isBlank()) ? ""
					: ": " + StoreUri.mask(description.lines().findFirst().orElse("").strip());
			String resume = (execution.getStatus() == BatchStatus.FAILED)
					? "; " + again + " to resume from its last checkpoint" : "";
			boot.err()
				.printf("error: %s ended %s (execution %d)%s%s%n", job, execution.getStatus(), execution.getId(),
						reason, resume);
			boot.err().flush();
			return KeeperCommandLine.FAILED;
		}
		if (CommandErrors.exitCode(cause) == KeeperCommandLine.USAGE) {
			CommandErrors.print(boot.err(), cause, boot.debug());
			return KeeperCommandLine.USAGE;
		}
		CommandErrors.print(boot.err(),
				new JobFailedException(CommandErrors.oneLine(cause) + " — " + job + " failed (execution "
						+ execution.getId() + "); " + again + " to resume from its last checkpoint", cause),
				boot.debug());
		return KeeperCommandLine.FAILED;
	}

	/** A run that failed, told with how to resume it. */
	private static final class JobFailedException extends UserFacingException {

		JobFailedException(String message, Throwable cause) {
			super(KeeperCommandLine.FAILED, message, cause);
		}

	}

}
