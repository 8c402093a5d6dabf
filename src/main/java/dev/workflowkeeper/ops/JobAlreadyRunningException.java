package dev.workflowkeeper.ops;

/**
 * The job runs already, in this worker or in another process sharing the history: 409.
 */
public class JobAlreadyRunningException extends JobControlException {

	public JobAlreadyRunningException(String message) {
		super(message);
	}

	@Override
	public int status() {
		return 409;
	}

}
