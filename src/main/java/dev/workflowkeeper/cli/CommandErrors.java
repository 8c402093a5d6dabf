package dev.workflowkeeper.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

import dev.workflowkeeper.job.JobOptionException;
import dev.workflowkeeper.scheduling.ScheduleFileException;
import dev.workflowkeeper.store.StoreAccessException;
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
			if (isPlain(t)) {
				message = t.getMessage();
				root = t;
				break;
			}
		}
		if (message == null) {
			message = ex.getClass().getSimpleName();
		}
		String line = message.lines().findFirst().orElse(message);
		boolean plain = isPlain(root);
		return StoreUri.mask(line) + (plain ? "" : " (" + root.getClass().getSimpleName() + ")");
	}

	/**
	 * Prints the one {@code error:} line of a failure, and with {@code debug} its stack
	 * trace after it.
	 */
	public static void print(PrintWriter err, Throwable ex, boolean debug) {
		err.println("error: " + oneLine(ex));
		if (debug) {
			StringWriter trace = new StringWriter();
			ex.printStackTrace(new PrintWriter(trace));
			trace.toString().lines().map(StoreUri::mask).forEach(err::println);
		}
		err.flush();
	}

	/**
	 * Whether the message of {@code ex} is already written for a user: what its causes
	 * say is detail.
	 */
	private static boolean isPlain(Throwable ex) {
		return ex instanceof UserFacingException || ex instanceof JobOptionException
				|| ex instanceof ScheduleFileException || ex instanceof StoreAccessException
				|| ex instanceof StoreInUseException;
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
