package dev.workflowkeeper.cli;

import java.util.concurrent.Callable;

import dev.workflowkeeper.ops.JobControl;
import dev.workflowkeeper.ops.JobControlException;
import dev.workflowkeeper.ops.LaunchedJob;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code history stop|restart|abandon <id>}: job control from the command line, with the same rules
 * as the actuator's (see {@link JobControl}). An unknown id is a usage error (exit 2); an execution in
 * the wrong state for the request fails (exit 1).
 */
final class HistoryControlCommands {

	private HistoryControlCommands() {
	}

	/** {@code history stop <id>}. */
	@Command(name = "stop", mixinStandardHelpOptions = true,
			description = { "Ask a running execution to stop at its next chunk boundary (in whichever process runs it).",
					"It ends STOPPED; 'history restart' or the same command again resumes it." })
	static class Stop implements Callable<Integer> {

		private final Boot boot;

		@Parameters(index = "0", paramLabel = "ID", description = "The execution id (see 'history').")
		long id;

		Stop(Boot boot) {
			this.boot = boot;
		}

		@Override
		public Integer call() {
			try (ConfigurableApplicationContext context = this.boot.oneOff()) {
				JobControl control = context.getBean(JobControl.class);
				control(() -> control.stop(this.id));
				JobExecution execution = control.execution(this.id);
				this.boot.out().printf("%s execution %d: %s (asked to stop at its next chunk boundary)%n",
						execution.getJobInstance().getJobName(), this.id, execution.getStatus());
				this.boot.out().flush();
				return KeeperCommandLine.OK;
			}
		}

	}

	/** {@code history restart <id>}. */
	@Command(name = "restart", mixinStandardHelpOptions = true,
			description = { "Restart a FAILED or STOPPED execution from its last checkpoint and wait for it to end.",
					"An execution left running by a process that is gone is recovered first." })
	static class Restart implements Callable<Integer> {

		private final Boot boot;

		@Parameters(index = "0", paramLabel = "ID", description = "The execution id (see 'history').")
		long id;

		Restart(Boot boot) {
			this.boot = boot;
		}

		@Override
		public Integer call() throws InterruptedException {
			try (ConfigurableApplicationContext context = this.boot.oneOff()) {
				JobControl control = context.getBean(JobControl.class);
				LaunchedJob restarted = control(() -> control.restart(this.id));
				this.boot.err().printf("Restarted execution %d of %s as execution %d%n", this.id, restarted.job(),
						restarted.executionId());
				this.boot.err().flush();
				JobExecution execution = control.awaitEnd(restarted.executionId());
				if (execution.getStatus() != BatchStatus.COMPLETED) {
					return MaintenanceCommands.failed(this.boot, execution);
				}
				this.boot.out().printf("%s: %s (execution %d, restarted from %d)%n", restarted.job(), execution.getStatus(),
						execution.getId(), this.id);
				this.boot.out().flush();
				return KeeperCommandLine.OK;
			}
		}

	}

	/** {@code history abandon <id>}. */
	@Command(name = "abandon", mixinStandardHelpOptions = true,
			description = { "Mark a STOPPED or FAILED execution, or one left running by a process that is gone, ABANDONED:",
					"it is never resumed, and the next run of its job starts afresh." })
	static class Abandon implements Callable<Integer> {

		private final Boot boot;

		@Parameters(index = "0", paramLabel = "ID", description = "The execution id (see 'history').")
		long id;

		Abandon(Boot boot) {
			this.boot = boot;
		}

		@Override
		public Integer call() {
			try (ConfigurableApplicationContext context = this.boot.oneOff()) {
				JobControl control = context.getBean(JobControl.class);
				String before = control(() -> control.execution(this.id)).getStatus().name();
				control(() -> control.abandon(this.id));
				JobExecution execution = control.execution(this.id);
				this.boot.out().printf("%s execution %d: %s (was %s)%n", execution.getJobInstance().getJobName(), this.id,
						execution.getStatus(), before);
				this.boot.out().flush();
				return KeeperCommandLine.OK;
			}
		}

	}

	private static void control(Runnable action) {
		control(() -> {
			action.run();
			return null;
		});
	}

	/** Turns a refusal into the one line and exit code of the command line. */
	private static <T> T control(java.util.function.Supplier<T> action) {
		try {
			return action.get();
		}
		catch (JobControlException ex) {
			int code = (ex.status() == 409) ? KeeperCommandLine.FAILED : KeeperCommandLine.USAGE;
			throw new UserFacingException(code, ex.getMessage(), ex);
		}
	}

}
