package dev.workflowkeeper.ops.health;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import dev.workflowkeeper.scheduling.JobSchedule;

import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The runs the schedules launched, as the history database has them: executions whose instance
 * carries the slot parameter ({@value JobSchedule#SLOT}), whichever worker ran them. One-off runs of
 * the same jobs (commands, the operator) are not schedule runs and are left out.
 */
class ScheduledRuns {

	/** The exit code of a slot recorded as skipped because an earlier run still ran (see SlotLauncher). */
	static final String SKIPPED_OVERLAP = "SKIPPED_OVERLAP";

	private static final String SLOT_EXECUTIONS = "FROM BATCH_JOB_EXECUTION E JOIN BATCH_JOB_INSTANCE I ON E.JOB_INSTANCE_ID = I.JOB_INSTANCE_ID "
			+ "WHERE I.JOB_NAME = ? AND EXISTS (SELECT 1 FROM BATCH_JOB_EXECUTION_PARAMS P "
			+ "WHERE P.JOB_EXECUTION_ID = E.JOB_EXECUTION_ID AND P.PARAMETER_NAME = '" + JobSchedule.SLOT + "')";

	private final JdbcTemplate jdbc;

	ScheduledRuns(JdbcTemplate jdbc) {
		this.jdbc = jdbc;
	}

	/** The latest run of a job's schedule, skipped slots left out; empty when it never ran. */
	Optional<Run> lastRun(String job) {
		List<Run> runs = this.jdbc.query("SELECT E.JOB_EXECUTION_ID, E.STATUS, E.EXIT_CODE, E.START_TIME, E.END_TIME "
				+ SLOT_EXECUTIONS + " AND E.EXIT_CODE <> '" + SKIPPED_OVERLAP
				+ "' ORDER BY E.JOB_EXECUTION_ID DESC FETCH FIRST 1 ROWS ONLY", ScheduledRuns::run, job);
		return runs.stream().findFirst();
	}

	/**
	 * When a slot of the job's schedule last fired: the start of its latest execution, a skipped slot
	 * included (it shows that the timer fired); empty when none ever did.
	 */
	Optional<Instant> lastFired(String job) {
		Timestamp fired = this.jdbc.queryForObject("SELECT MAX(COALESCE(E.START_TIME, E.CREATE_TIME)) " + SLOT_EXECUTIONS,
				Timestamp.class, job);
		return Optional.ofNullable(fired).map(ScheduledRuns::instant);
	}

	private static Run run(ResultSet rs, int row) throws SQLException {
		return new Run(rs.getLong(1), rs.getString(2), rs.getString(3), instant(rs.getTimestamp(4)),
				instant(rs.getTimestamp(5)));
	}

	/** Spring Batch stores local times of the writing JVM. */
	private static Instant instant(Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toLocalDateTime().atZone(ZoneId.systemDefault()).toInstant() : null;
	}

	/**
	 * One run of a schedule.
	 *
	 * @param executionId the job execution
	 * @param status its batch status
	 * @param exitCode its exit code
	 * @param start when it started, or {@code null} before it did
	 * @param end when it ended, or {@code null} while it runs
	 */
	record Run(long executionId, String status, String exitCode, Instant start, Instant end) {

		boolean failed() {
			return "FAILED".equals(this.status);
		}

	}

}
