package dev.workflowkeeper.ops.dashboard;

import java.util.Map;

/**
 * What the dashboard's launch buttons call: starts one run of a job and answers as soon as its
 * execution is recorded, while the run goes on.
 */
@FunctionalInterface
public interface JobLauncherPort {

	/**
	 * Starts {@code job} with {@code options} (job parameter names and values).
	 * @throws UnknownJobException when no job has that name
	 * @throws BadJobParameterException when an option is refused
	 * @throws JobAlreadyRunningException when the job runs now
	 */
	LaunchedJob launch(String job, Map<String, Object> options);

	/**
	 * A run that was started.
	 *
	 * @param job the job's name
	 * @param executionId its execution in the history
	 * @param status the execution's status when it was seen first
	 */
	record LaunchedJob(String job, long executionId, String status) {
	}

	/** No job has the name asked for. */
	class UnknownJobException extends RuntimeException {

		public UnknownJobException(String message) {
			super(message);
		}

	}

	/** An option was refused: not a plain value, a secret, or rejected by the job. */
	class BadJobParameterException extends RuntimeException {

		public BadJobParameterException(String message) {
			super(message);
		}

	}

	/** The job runs now; a second run is not stacked on it. */
	class JobAlreadyRunningException extends RuntimeException {

		public JobAlreadyRunningException(String message) {
			super(message);
		}

	}

}
