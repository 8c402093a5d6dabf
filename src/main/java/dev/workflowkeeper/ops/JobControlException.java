package dev.workflowkeeper.ops;

/**
 * Why {@link JobControl} refused a request, with the HTTP status that says so. The
 * message is one line an operator can act on.
 */
public abstract class JobControlException extends RuntimeException {

	protected JobControlException(String message) {
		super(message);
	}

	protected JobControlException(String message, Throwable cause) {
		super(message, cause);
	}

	/** The HTTP status that answers the request. */
	public abstract int status();

}
