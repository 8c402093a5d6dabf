package dev.workflowkeeper.ops;

/** No job of that name: 404. */
public class UnknownJobException extends JobControlException {

	public UnknownJobException(String message) {
		super(message);
	}

	@Override
	public int status() {
		return 404;
	}

}
