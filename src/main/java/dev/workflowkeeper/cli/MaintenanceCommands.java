package dev.workflowkeeper.cli;

import java.time.Duration;

import dev.workflowkeeper.maintenance.MaintenanceStores;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.ConfigurableApplicationContext;

/** What the maintenance commands share: checking their options and telling a failed run. */
final class MaintenanceCommands {

	private MaintenanceCommands() {
	}

	/** Fails in one line when a given store address is wrong or names a store without keys and TTLs. */
	static void checkStore(String store) {
		if (store == null) {
			return;
		}
		try {
			if (StoreUri.parse(store).kind() == StoreUri.Kind.SNAPSHOT) {
				throw new UserFacingException(KeeperCommandLine.USAGE,
						"--store must be a redis:// store or memory:, a snapshot file has no TTLs to maintain");
			}
		}
		catch (IllegalArgumentException ex) {
			throw new UserFacingException(KeeperCommandLine.USAGE, ex.getMessage());
		}
	}

	/** Opens the store once, so that a wrong address or password fails in one line before any job starts. */
	static void preflight(ConfigurableApplicationContext context, String store) {
		MaintenanceStores stores = context.getBean(MaintenanceStores.class);
		try {
			stores.open(stores.parameter(store)).close();
		}
		catch (RuntimeException ex) {
			throw new UserFacingException(KeeperCommandLine.USAGE, CommandErrors.oneLine(ex), ex);
		}
	}

	/** Parses {@code 48h}, {@code 30m}, {@code P2D}, or a number of seconds. */
	static Duration duration(String option, String text) {
		if (text == null) {
			return null;
		}
		try {
			Duration duration = text.trim().matches("\\d+") ? Duration.ofSeconds(Long.parseLong(text.trim()))
					: DurationStyle.detectAndParse(text.trim());
			if (duration.isNegative() || duration.isZero()) {
				throw new IllegalArgumentException("not positive");
			}
			return duration;
		}
		catch (IllegalArgumentException ex) {
			throw new UserFacingException(KeeperCommandLine.USAGE,
					option + " must be a positive duration such as 48h, 30m, P2D or a number of seconds, not '" + text + "'");
		}
	}

	/** Prints why a run failed and returns the exit code. */
	static int failed(Boot boot, JobExecution execution) {
		boot.out().printf("%s: %s (execution %d, %s)%n", execution.getJobInstance().getJobName(), execution.getStatus(),
				execution.getId(), execution.getExitStatus().getExitCode());
		execution.getAllFailureExceptions()
			.stream()
			.findFirst()
			.ifPresent((ex) -> boot.err().println("error: " + CommandErrors.oneLine(ex)));
		boot.out().flush();
		boolean usage = execution.getAllFailureExceptions()
			.stream()
			.anyMatch((ex) -> CommandErrors.exitCode(ex) == KeeperCommandLine.USAGE);
		return usage ? KeeperCommandLine.USAGE : KeeperCommandLine.FAILED;
	}

}
