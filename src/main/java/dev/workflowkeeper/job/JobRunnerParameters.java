package dev.workflowkeeper.job;

/**
 * The parameters the launchers add beside a job's own options, declared once.
 */
public final class JobRunnerParameters {

	/**
	 * Tells apart runs of the same options: the command line and HTTP number their runs.
	 */
	public static final String RUN = "run";

	/**
	 * The identifying parameter of a scheduled run: the scheduled fire time of its slot
	 * (ISO-8601). One slot is one job instance, so a slot runs once however many workers
	 * fire it.
	 */
	public static final String SLOT = "schedule.slot";

	/** A non-identifying clock reading some jobs are anchored to (epoch millis). */
	public static final String NOW = "now";

	private JobRunnerParameters() {
	}

}
