package dev.workflowkeeper.cli;

import dev.workflowkeeper.job.JobOptionException;
import dev.workflowkeeper.scheduling.ScheduleFileException;
import dev.workflowkeeper.store.StoreInUseException;
import dev.workflowkeeper.store.StoreUri;

/**
 * Turns an exception into the one line a user reads, and its exit code.
 */
public final class CommandErrors {

	private CommandErrors() {
	}

	public static String oneLine(Throwable ex) {
		Throwable root = ex;
		String message = null;
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t.getMessage() != null && !t.getMessage().isBlank()) {
				message = t.getMessage();
				root = t;
			}
			if (t instanceof UserFacingException || t instanceof JobOptionException
					|| t instanceof ScheduleFileException || t instanceof StoreInUseException) {
				message = t.getMessage();
				root = t;
				break;
			}
		}
		if (message == null) {
			message = ex.getClass().getSimpleName();
		}
		String line = message.lines().findFirst().orElse(message);
		boolean plain = root instanceof UserFacingException || root instanceof JobOptionException
				|| root instanceof ScheduleFileException || root instanceof StoreInUseException;
		return StoreUri.mask(line) + (plain ? "" : " (" + root.getClass().getSimpleName() + ")");
	}

	public static int exitCode(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof UserFacingException user) {
				return user.exitCode();
			}
			if (t instanceof IllegalArgumentException || t instanceof StoreInUseException) {
				return KeeperCommandLine.USAGE;
			}
		}
		return KeeperCommandLine.FAILED;
	}

}
