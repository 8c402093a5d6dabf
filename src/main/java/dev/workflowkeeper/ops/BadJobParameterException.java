package dev.workflowkeeper.ops;

/** An option the job does not know, or a value it cannot take: 400. */
public class BadJobParameterException extends JobControlException {

	public BadJobParameterException(String message) {
		super(message);
	}

	@Override
	public int status() {
		return 400;
	}

}
