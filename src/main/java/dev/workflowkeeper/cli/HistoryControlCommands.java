package dev.workflowkeeper.cli;

import java.util.concurrent.Callable;
import java.util.function.Supplier;

import dev.workflowkeeper.ops.JobControl;
import dev.workflowkeeper.ops.JobControlException;
import dev.workflowkeeper.ops.LaunchedJob;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code history stop|restart|abandon <id>}: job control from the command line, with the
 * same rules as the actuator's (see {@link JobControl}). An unknown id is a usage error
 * (exit 2); an execution in the wrong state for the request fails (exit 1).
 */
final class HistoryControlCommands {

	private HistoryControlCommands() {
	}

	/**
	 * One execution, named by its id, acted on through {@link JobControl} in a one-off
	 * context.
	 */
	abstract static class ExecutionCommand implements Callable<Integer> {

		final Boot boot;

		@Parameters(index = "0", paramLabel = "ID", description = "The execution's id, as 'history' prints it.")
		long id;

		/** The application, while the command runs. */
		ConfigurableApplicationContext context;

		ExecutionCommand(Boot boot) {
			this.boot = boot;
		}

		@Override
		public Integer call() throws InterruptedException {
			try (ConfigurableApplicationContext context = this.boot.oneOff()) {
				this.context = context;
				return act(context.getBean(JobControl.class));
			}
		}

		/** Acts on execution {@link #id}; returns the exit code. */
		abstract int act(JobControl control) throws InterruptedException;

		/** Prints one line of results. */
		void print(String format, Object... args) {
			this.boot.out().printf(format + "%n", args);
			this.boot.out().flush();
		}

	}

	/** {@code history stop <id>}. */
	@Command(name = "stop", mixinStandardHelpOptions = true, description = {
			"Ask a running execution to stop at its next chunk boundary.",
			"The process that runs it, this one or another, stops it; it ends STOPPED, and 'history restart ID' or the same command again resumes it." },
			footer = { "", "Examples:", "  history stop 42" })
	static class Stop extends ExecutionCommand {

		Stop(Boot boot) {
			super(boot);
		}

		@Override
		int act(JobControl control) {
			control(() -> {
				control.stop(this.id);
				return null;
			});
			JobExecution execution = control.execution(this.id);
			print("%s execution %d: %s (asked to stop at its next chunk boundary)",
					execution.getJobInstance().getJobName(), this.id, execution.getStatus());
			return KeeperCommandLine.OK;
		}

	}

	/** {@code history restart <id>}. */
	@Command(name = "restart", mixinStandardHelpOptions = true,
			description = { "Restart a FAILED or STOPPED execution from its last checkpoint and wait for its end.",
					"An execution left running by a process that is gone is recovered first." },
			footer = { "", "Examples:", "  history restart 42" })
	static class Restart extends ExecutionCommand {

		Restart(Boot boot) {
			super(boot);
		}

		@Override
		int act(JobControl control) throws InterruptedException {
			LaunchedJob restarted = control(() -> control.restart(this.id));
			this.boot.err()
				.printf("Restarted execution %d of %s as execution %d%n", this.id, restarted.job(),
						restarted.executionId());
			this.boot.err().flush();
			JobExecution execution = control.awaitEnd(restarted.executionId());
			if (execution.getStatus() != BatchStatus.COMPLETED) {
				this.boot.out()
					.printf("%s: %s (execution %d, %s)%n", restarted.job(), execution.getStatus(), execution.getId(),
							execution.getExitStatus().getExitCode());
				this.boot.out().flush();
				return JobCommands.failure(this.boot, this.context, execution,
						"run 'history restart " + execution.getId() + "'");
			}
			print("%s: %s (execution %d, restarted from %d)", restarted.job(), execution.getStatus(), execution.getId(),
					this.id);
			return KeeperCommandLine.OK;
		}

	}

	/** {@code history abandon <id>}. */
	@Command(name = "abandon", mixinStandardHelpOptions = true, description = {
			"Mark a STOPPED or FAILED execution ABANDONED, so that it is never resumed.",
			"The next run of its job starts afresh. An execution left running by nobody (its worker is gone) is abandoned too.",
			"One that still runs is asked to stop first, and abandoned once it has." },
			footer = { "", "Examples:", "  history abandon 42" })
	static class Abandon extends ExecutionCommand {

		Abandon(Boot boot) {
			super(boot);
		}

		@Override
		int act(JobControl control) {
			String before = control(() -> control.execution(this.id)).getStatus().name();
			control(() -> {
				control.abandon(this.id);
				return null;
			});
			JobExecution execution = control.execution(this.id);
			print("%s execution %d: %s (was %s)", execution.getJobInstance().getJobName(), this.id,
					execution.getStatus(), before);
			return KeeperCommandLine.OK;
		}

	}

	/** Turns a refusal into the one line and exit code of the command line. */
	private static <T> T control(Supplier<T> action) {
		try {
			return action.get();
		}
		catch (JobControlException ex) {
			int code = (ex.status() == 409) ? KeeperCommandLine.FAILED : KeeperCommandLine.USAGE;
			throw new UserFacingException(code, ex.getMessage(), ex);
		}
	}

}
