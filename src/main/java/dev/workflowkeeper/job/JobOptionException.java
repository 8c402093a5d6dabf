package dev.workflowkeeper.job;

/**
 * Options a job refuses: an unknown one, a value of the wrong kind, or one its rules do
 * not allow. The message is the one line every launch path shows, beginning with the
 * job's name.
 */
public class JobOptionException extends IllegalArgumentException {

	public JobOptionException(String message) {
		super(message);
	}

}
