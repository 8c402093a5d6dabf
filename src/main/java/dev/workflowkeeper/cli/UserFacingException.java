package dev.workflowkeeper.cli;

/**
 * An error whose message is already the one line a user should read, with its exit code.
 */
public class UserFacingException extends RuntimeException {

	private final int exitCode;

	public UserFacingException(int exitCode, String message) {
		super(message);
		this.exitCode = exitCode;
	}

	public UserFacingException(int exitCode, String message, Throwable cause) {
		super(message, cause);
		this.exitCode = exitCode;
	}

	public int exitCode() {
		return this.exitCode;
	}

}
