package dev.workflowkeeper.batch;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;

import dev.workflowkeeper.job.JobRunnerParameters;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The queries on Spring Batch's history tables that its {@code JobRepository} does not
 * answer, in one place: every table named with {@code spring.batch.jdbc.table-prefix}.
 * Read-only.
 */
@Component
public class HistoryQueries {

	/** The exit code of a slot recorded as skipped because an earlier run still ran. */
	public static final String SKIPPED_OVERLAP = "SKIPPED_OVERLAP";

	private final JdbcTemplate jdbc;

	private final String executions;

	private final String instances;

	private final String parameters;

	public HistoryQueries(JdbcTemplate jdbc, @Value("${spring.batch.jdbc.table-prefix:BATCH_}") String tablePrefix) {
		this.jdbc = jdbc;
		this.executions = tablePrefix + "JOB_EXECUTION";
		this.instances = tablePrefix + "JOB_INSTANCE";
		this.parameters = tablePrefix + "JOB_EXECUTION_PARAMS";
	}

	/**
	 * Whether the history holds an execution of that id (the repository throws for an
	 * unknown one).
	 */
	public boolean executionExists(long executionId) {
		Long count = this.jdbc.queryForObject("SELECT COUNT(*) FROM " + this.executions + " WHERE JOB_EXECUTION_ID = ?",
				Long.class, executionId);
		return count != null && count > 0;
	}

	/** How many executions a job has. */
	public long executionCount(String job) {
		Long count = this.jdbc.queryForObject("SELECT COUNT(*) FROM " + this.executions + " E JOIN " + this.instances
				+ " I ON E.JOB_INSTANCE_ID = I.JOB_INSTANCE_ID WHERE I.JOB_NAME = ?", Long.class, job);
		return (count != null) ? count : 0;
	}

	/**
	 * A page of a job's execution ids, newest first (across restarts of older instances).
	 */
	public List<Long> executionIds(String job, int offset, int limit) {
		return this.jdbc.queryForList("SELECT E.JOB_EXECUTION_ID FROM " + this.executions + " E JOIN " + this.instances
				+ " I ON E.JOB_INSTANCE_ID = I.JOB_INSTANCE_ID WHERE I.JOB_NAME = ? ORDER BY E.JOB_EXECUTION_ID DESC OFFSET "
				+ Math.max(0, offset) + " ROWS FETCH NEXT " + Math.max(1, limit) + " ROWS ONLY", Long.class, job);
	}

	/**
	 * The newest execution ids of every job, or of one job, of any status or of one;
	 * newest first.
	 * @param job a job's name, {@code null} for every job
	 * @param status a batch status ({@code FAILED}), {@code null} for any
	 */
	public List<Long> recentExecutionIds(String job, String status, int limit) {
		Filter filter = new Filter(job, status);
		return this.jdbc.queryForList("SELECT E.JOB_EXECUTION_ID " + filter.from()
				+ " ORDER BY E.JOB_EXECUTION_ID DESC FETCH FIRST " + Math.max(1, limit) + " ROWS ONLY", Long.class,
				filter.arguments());
	}

	/** How many executions {@link #recentExecutionIds} chooses from. */
	public long recentExecutionCount(String job, String status) {
		Filter filter = new Filter(job, status);
		Long count = this.jdbc.queryForObject("SELECT COUNT(*) " + filter.from(), Long.class, filter.arguments());
		return (count != null) ? count : 0;
	}

	/**
	 * The highest {@value JobRunnerParameters#RUN} number any instance of the job used; 0
	 * when none.
	 */
	public long lastRunNumber(String job) {
		List<String> runs = this.jdbc.queryForList(
				"SELECT P.PARAMETER_VALUE FROM " + this.parameters + " P JOIN " + this.executions
						+ " E ON P.JOB_EXECUTION_ID = E.JOB_EXECUTION_ID JOIN " + this.instances
						+ " I ON E.JOB_INSTANCE_ID = I.JOB_INSTANCE_ID WHERE I.JOB_NAME = ? AND P.PARAMETER_NAME = ?",
				String.class, job, JobRunnerParameters.RUN);
		long max = 0;
		for (String run : runs) {
			try {
				max = Math.max(max, Long.parseLong(run.trim()));
			}
			catch (NumberFormatException | NullPointerException ex) {
				// not a run number of ours
			}
		}
		return max;
	}

	/**
	 * The latest run of a job's schedule, skipped slots left out; empty when it never
	 * ran.
	 */
	public Optional<ScheduledRun> lastScheduledRun(String job) {
		List<ScheduledRun> runs = this.jdbc.query(
				"SELECT E.JOB_EXECUTION_ID, E.STATUS, E.EXIT_CODE, E.START_TIME, E.END_TIME " + slotExecutions()
						+ " AND E.EXIT_CODE <> '" + SKIPPED_OVERLAP
						+ "' ORDER BY E.JOB_EXECUTION_ID DESC FETCH FIRST 1 ROWS ONLY",
				HistoryQueries::scheduledRun, job);
		return runs.stream().findFirst();
	}

	/**
	 * When a slot of the job's schedule last fired: the start of its latest execution, a
	 * skipped slot included; empty when none ever did.
	 */
	public Optional<Instant> lastSlotFired(String job) {
		Timestamp fired = this.jdbc.queryForObject(
				"SELECT MAX(COALESCE(E.START_TIME, E.CREATE_TIME)) " + slotExecutions(), Timestamp.class, job);
		return Optional.ofNullable(fired).map(HistoryQueries::instant);
	}

	/**
	 * Executions whose instance carries the slot parameter: the runs the schedules
	 * launched.
	 */
	private String slotExecutions() {
		return "FROM " + this.executions + " E JOIN " + this.instances + " I ON E.JOB_INSTANCE_ID = I.JOB_INSTANCE_ID "
				+ "WHERE I.JOB_NAME = ? AND EXISTS (SELECT 1 FROM " + this.parameters + " P "
				+ "WHERE P.JOB_EXECUTION_ID = E.JOB_EXECUTION_ID AND P.PARAMETER_NAME = '" + JobRunnerParameters.SLOT
				+ "')";
	}

	private static ScheduledRun scheduledRun(ResultSet rs, int row) throws SQLException {
		return new ScheduledRun(rs.getLong(1), rs.getString(2), rs.getString(3), instant(rs.getTimestamp(4)),
				instant(rs.getTimestamp(5)));
	}

	/** Spring Batch stores local times of the writing JVM. */
	private static Instant instant(Timestamp timestamp) {
		return (timestamp != null) ? timestamp.toLocalDateTime().atZone(ZoneId.systemDefault()).toInstant() : null;
	}

	/** The executions of a job (or of every job) of a status (or of any). */
	private final class Filter {

		private final String job;

		private final String status;

		Filter(String job, String status) {
			this.job = job;
			this.status = status;
		}

		String from() {
			// the job's instances in a subquery rather than a join: without a job the ids
			// come newest first straight from the executions' primary key
			return "FROM " + HistoryQueries.this.executions + " E WHERE 1 = 1"
					+ ((this.job != null) ? " AND E.JOB_INSTANCE_ID IN (SELECT I.JOB_INSTANCE_ID FROM "
							+ HistoryQueries.this.instances + " I WHERE I.JOB_NAME = ?)" : "")
					+ ((this.status != null) ? " AND E.STATUS = ?" : "");
		}

		Object[] arguments() {
			return java.util.stream.Stream.of(this.job, this.status).filter(java.util.Objects::nonNull).toArray();
		}

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
	public record ScheduledRun(long executionId, String status, String exitCode, Instant start, Instant end) {

		/** Whether the run failed. */
		public boolean failed() {
			return "FAILED".equals(this.status);
		}

	}

}
