package dev.workflowkeeper.ops;

/** The worker is stopping its jobs to shut down and starts none: 503. */
public class WorkerShuttingDownException extends JobControlException {

	public WorkerShuttingDownException() {
		super("the worker is shutting down: launch the job on a running worker or from the command line");
	}

	@Override
	public int status() {
		return 503;
	}

}
