package dev.workflowkeeper.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.sql.SQLException;

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

	/**
	 * What a command says when the H2 history stayed locked by another process for as
	 * long as it waited.
	 */
	static final String HISTORY_LOCKED = "the job history database is locked by another process that does not share it"
			+ " (one that opened it without AUTO_SERVER, or that hangs): let that process end, or give this command"
			+ " another history (KEEPER_HISTORY_URL)";

	public static String oneLine(Throwable ex) {
		if (historyLocked(ex)) {
			return HISTORY_LOCKED;
		}
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
		if (historyLocked(ex)) {
			return KeeperCommandLine.USAGE;
		}
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

	/**
	 * Whether opening the H2 history failed on its lock file (H2's
	 * {@code DATABASE_ALREADY_OPEN_1}, or its lock-file errors).
	 */
	private static boolean historyLocked(Throwable ex) {
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof SQLException sql && (sql.getErrorCode() == 90020 || (sql.getErrorCode() == 8000
					&& sql.getMessage() != null && sql.getMessage().contains("Lock file")))) {
				return true;
			}
		}
		return false;
	}

}
