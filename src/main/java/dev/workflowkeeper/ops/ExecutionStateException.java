package dev.workflowkeeper.ops;

/**
 * The execution is not in a state that allows what was asked (stop one that is not
 * running, restart a completed one, abandon one that a live process still runs): 409.
 */
public class ExecutionStateException extends JobControlException {

	public ExecutionStateException(String message) {
		super(message);
	}

	public ExecutionStateException(String message, Throwable cause) {
		super(message, cause);
	}

	@Override
	public int status() {
		return 409;
	}

}
