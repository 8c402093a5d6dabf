package dev.workflowkeeper.ops;

/** No job execution with that id: 404. */
public class UnknownExecutionException extends JobControlException {

	public UnknownExecutionException(long executionId) {
		super("no job execution with id " + executionId);
	}

	@Override
	public int status() {
		return 404;
	}

}
