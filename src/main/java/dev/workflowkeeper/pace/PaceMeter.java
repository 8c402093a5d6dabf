package dev.workflowkeeper.pace;

/**
 * Where the pace of a job's Redis connections is told: the limits it runs under, the time
 * its work waited on them, the probe's measurements and the pace each server is worked at
 * now. One per job execution ({@link JobPace}), shared by every store the execution
 * opens. Thread-safe.
 */
public interface PaceMeter {

	/** No limits, nothing recorded: a store opened outside a job. */
	PaceMeter UNLIMITED = new PaceMeter() {

		@Override
		public PaceSettings settings() {
			return PaceSettings.UNLIMITED;
		}

		@Override
		public void throttled(long nanos) {
		}

		@Override
		public void probed(long latencyNanos) {
		}

		@Override
		public void pace(String server, String pace) {
		}

		@Override
		public void closed() {
		}

	};

	/** The limits the job runs under. */
	PaceSettings settings();

	/** Work waited {@code nanos} for the limits. */
	void throttled(long nanos);

	/** The probe connection measured one response time. */
	void probed(long latencyNanos);

	/**
	 * How {@code server} is worked now, in a few words for progress lines
	 * ({@code 250 keys a round trip, 1 in flight}).
	 */
	void pace(String server, String pace);

	/** A paced connection closed: what was measured so far becomes the job's figures. */
	void closed();

}
