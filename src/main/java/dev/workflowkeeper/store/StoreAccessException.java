package dev.workflowkeeper.store;

/**
 * A store cannot be reached or used: unreachable server, refused credentials, missing or
 * unreadable file. The message is the one line a user reads: what failed and what to do;
 * it never holds a password.
 */
public class StoreAccessException extends RuntimeException {

	public StoreAccessException(String message) {
		super(message);
	}

	public StoreAccessException(String message, Throwable cause) {
		super(message, cause);
	}

}
