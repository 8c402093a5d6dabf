package dev.workflowkeeper.batch;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * This process as one of the workers that share the history database. Each has an id and
 * a row of its own in {@value #TABLE} (created where it is missing, as the batch schema
 * is) whose heartbeat it renews every {@code keeper.workers.heartbeat-interval}; every
 * job execution records the id of the worker that runs it ({@value #WORKER} in its
 * ExecutionContext, written by {@link JobOwnerListener}).
 * <p>
 * An execution is <em>gone</em> (left running by nobody) when no job thread of this
 * process runs it while it names this worker, when the worker it names ran on this host
 * and its process has ended, or when that worker has no row or has not heartbeated for
 * {@code keeper.workers.takeover-after}. At every heartbeat a worker settles its own gone
 * executions: one whose end it could not record (the history was unreachable) gets the
 * end that really happened, one with no job thread behind it ends FAILED (STOPPED when it
 * was asked to stop). The worker that serves ({@code serve}) also takes over the runs of
 * dead workers: one survivor claims a dead worker's row with a conditional UPDATE, marks
 * its running executions FAILED and, when the dead worker was serving too (its runs are
 * schedule slots and HTTP launches), restarts them from their checkpoints
 * ({@link TakenOverRuns}); one-off commands are resumed by running them again.
 * <p>
 * Heartbeat failures keep the state of the history for its health indicator: DOWN as soon
 * as a heartbeat fails or is late, without waiting for a connection of its own; the
 * heartbeat then backs off, up to four intervals, and keeps trying.
 * <p>
 * Times are the database's ({@code LOCALTIMESTAMP}), so that the workers' clocks need not
 * agree.
 */
public class WorkerRegistry implements SmartLifecycle {

	/** The project's own table of workers. */
	public static final String TABLE = "KEEPER_WORKER";

	/** ExecutionContext key of the id of the worker that runs the execution. */
	public static final String WORKER = "owner.worker";

	private static final Log logger = LogFactory.getLog(WorkerRegistry.class);

	private static final String RUNNING = "('STARTING', 'STARTED', 'STOPPING')";

	private static final int MAX_MESSAGE = 2400;

	private final JdbcTemplate jdbc;

	private final JobRepository jobRepository;

	private final WorkersProperties properties;

	private final String executions;

	private final String steps;

	private final boolean serving;

	private final ObjectProvider<TakenOverRuns> takenOverRuns;

	private final String id;

	/** The executions a job thread of this process runs, with that thread. */
	private final Map<Long, Thread> live = new ConcurrentHashMap<>();

	/**
	 * The executions whose job thread ended here, as it left them, until the history
	 * shows their end.
	 */
	private final Map<Long, Ended> ended = new ConcurrentHashMap<>();

	private volatile boolean tableReady;

	private volatile boolean rowWritten;

	private volatile ScheduledExecutorService ticker;

	private volatile HistoryState state = new HistoryState(false, null, null, null);

	private int failures;

	WorkerRegistry(DataSource dataSource, JobRepository jobRepository, WorkersProperties properties, String tablePrefix,
			boolean serving, ObjectProvider<TakenOverRuns> takenOverRuns) {
		this.jdbc = new JdbcTemplate(dataSource);
		this.jobRepository = jobRepository;
		this.properties = properties;
		this.executions = tablePrefix + "JOB_EXECUTION";
		this.steps = tablePrefix + "STEP_EXECUTION";
		this.serving = serving;
		this.takenOverRuns = takenOverRuns;
		this.id = JobOwnerListener.hostName() + "-" + ProcessHandle.current().pid() + "-"
				+ UUID.randomUUID().toString().substring(0, 8);
	}

	/** This worker's id. */
	public String id() {
		return this.id;
	}

	/** The state of the history database as the heartbeats met it. */
	public HistoryState historyState() {
		return this.state;
	}

	/** The settings of the workers. */
	public WorkersProperties properties() {
		return this.properties;
	}

	/**
	 * A job thread of this process starts to run {@code execution}: the worker's row is
	 * written (and its heartbeat started) before the execution names it.
	 */
	void started(JobExecution execution) {
		this.live.put(execution.getId(), Thread.currentThread());
		if (!this.rowWritten) {
			heartbeat();
		}
		startTicking();
	}

	/**
	 * The job thread of {@code execution} ends it: what it leaves there is what really
	 * happened, should its own record of the end fail.
	 */
	void ended(JobExecution execution) {
		this.ended.put(execution.getId(), new Ended(execution, System.nanoTime()));
		this.live.remove(execution.getId());
	}

	/** The executions a job thread of this process runs now. */
	public Set<Long> liveExecutionIds() {
		return Set.copyOf(this.live.keySet());
	}

	/**
	 * Whether nobody runs {@code execution} any more, though the history may say it runs.
	 */
	public boolean isGone(JobExecution execution) {
		String worker = execution.getExecutionContext().getString(WORKER, null);
		if (worker == null || JobOwnerListener.ownerIsGone(execution)) {
			// Before workers had ids; or a process of this host that is known to be
			// gone, which need not wait for its heartbeat to go stale.
			return JobOwnerListener.ownerIsGone(execution);
		}
		if (worker.equals(this.id)) {
			return !runsHere(execution.getId()) && !endingHere(execution.getId());
		}
		Heartbeat heartbeat = heartbeatOf(worker);
		return heartbeat == null || heartbeat.age().compareTo(this.properties.takeoverAfter()) > 0;
	}

	/**
	 * Whether {@code execution} names this worker and no job thread of it runs it: its
	 * end can be settled here.
	 */
	public boolean isOwnAndGone(JobExecution execution) {
		return this.id.equals(execution.getExecutionContext().getString(WORKER, null)) && isGone(execution);
	}

	/** Who runs {@code execution}, for messages. */
	public static String ownerOf(JobExecution execution) {
		var context = execution.getExecutionContext();
		String where = context.containsKey(JobOwnerListener.PID)
				? "pid " + context.get(JobOwnerListener.PID) + " on " + context.get(JobOwnerListener.HOST)
				: "owner unknown";
		return context.containsKey(WORKER) ? "worker " + context.getString(WORKER) + ", " + where : where;
	}

	/**
	 * Ends a gone execution in the history: as its job thread here left it when there was
	 * one, else FAILED (STOPPED when it was asked to stop).
	 * @param why why nobody runs it, for its exit description
	 * @return whether the history was changed
	 */
	public boolean settle(JobExecution execution, String why) {
		Ended end = this.ended.remove(execution.getId());
		if (end != null) {
			return writeEnd(end.execution(), "its end is recorded late: the history was unreachable when it ended");
		}
		BatchStatus status = (execution.getStatus() == BatchStatus.STOPPING) ? BatchStatus.STOPPED : BatchStatus.FAILED;
		int changed = this.jdbc.update(
				"UPDATE " + this.executions + " SET STATUS = ?, EXIT_CODE = ?, EXIT_MESSAGE = ?, END_TIME = ?, "
						+ "LAST_UPDATED = ?, VERSION = VERSION + 1 WHERE JOB_EXECUTION_ID = ? AND STATUS IN " + RUNNING,
				status.name(), status.name(), truncate(why), Timestamp.valueOf(LocalDateTime.now()),
				Timestamp.valueOf(LocalDateTime.now()), execution.getId());
		endSteps(execution.getId(), status, why);
		if (changed > 0) {
			logger.warn((execution.getJobInstance() != null ? execution.getJobInstance().getJobName() + " " : "")
					+ "execution " + execution.getId() + " ended " + status + ": " + why);
		}
		return changed > 0;
	}

	private boolean writeEnd(JobExecution execution, String note) {
		BatchStatus status = finalStatus(execution.getStatus());
		String exitCode = (status == execution.getStatus()) ? execution.getExitStatus().getExitCode() : status.name();
		String message = execution.getExitStatus().getExitDescription();
		message = (message == null || message.isBlank()) ? note : note + "; " + message;
		LocalDateTime end = (execution.getEndTime() != null) ? execution.getEndTime() : LocalDateTime.now();
		int changed = this.jdbc.update(
				"UPDATE " + this.executions + " SET STATUS = ?, EXIT_CODE = ?, EXIT_MESSAGE = ?, END_TIME = ?, "
						+ "LAST_UPDATED = ?, VERSION = VERSION + 1 WHERE JOB_EXECUTION_ID = ? AND STATUS IN " + RUNNING,
				status.name(), exitCode, truncate(message), Timestamp.valueOf(end),
				Timestamp.valueOf(LocalDateTime.now()), execution.getId());
		for (StepExecution step : execution.getStepExecutions()) {
			BatchStatus stepStatus = finalStatus(step.getStatus());
			LocalDateTime stepEnd = (step.getEndTime() != null) ? step.getEndTime() : end;
			this.jdbc.update(
					"UPDATE " + this.steps + " SET STATUS = ?, EXIT_CODE = ?, END_TIME = ?, LAST_UPDATED = ?, "
							+ "VERSION = VERSION + 1 WHERE STEP_EXECUTION_ID = ? AND STATUS IN " + RUNNING,
					stepStatus.name(),
					(stepStatus == step.getStatus()) ? step.getExitStatus().getExitCode() : stepStatus.name(),
					Timestamp.valueOf(stepEnd), Timestamp.valueOf(LocalDateTime.now()), step.getId());
		}
		endSteps(execution.getId(), status, note);
		if (changed > 0) {
			logger.warn(execution.getJobInstance().getJobName() + " execution " + execution.getId() + " ended " + status
					+ " (" + exitCode + "): " + note);
		}
		return changed > 0;
	}

	/** Any step still marked running ends as its job did. */
	private void endSteps(long executionId, BatchStatus status, String why) {
		this.jdbc.update(
				"UPDATE " + this.steps + " SET STATUS = ?, EXIT_CODE = ?, EXIT_MESSAGE = ?, END_TIME = ?, "
						+ "LAST_UPDATED = ?, VERSION = VERSION + 1 WHERE JOB_EXECUTION_ID = ? AND STATUS IN " + RUNNING,
				status.name(), status.name(), truncate(why), Timestamp.valueOf(LocalDateTime.now()),
				Timestamp.valueOf(LocalDateTime.now()), executionId);
	}

	/**
	 * A job thread that ended without a status Spring Batch can restart from (UNKNOWN:
	 * its step could not record its end) failed.
	 */
	private static BatchStatus finalStatus(BatchStatus status) {
		if (status == BatchStatus.STOPPING) {
			return BatchStatus.STOPPED;
		}
		return (status.isRunning() || status == BatchStatus.UNKNOWN) ? BatchStatus.FAILED : status;
	}

	private boolean runsHere(long executionId) {
		Thread thread = this.live.get(executionId);
		return thread != null && thread.isAlive();
	}

	/**
	 * Whether the job thread here ended the execution a moment ago: its own record of the
	 * end is given a heartbeat interval to land.
	 */
	private boolean endingHere(long executionId) {
		Ended end = this.ended.get(executionId);
		return end != null && System.nanoTime() - end.atNanos() < this.properties.heartbeatInterval().toNanos();
	}

	@Override
	public void start() {
		if (this.serving) {
			heartbeat();
			startTicking();
		}
	}

	private synchronized void startTicking() {
		if (this.ticker != null) {
			return;
		}
		this.ticker = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "keeper-heartbeat");
			thread.setDaemon(true);
			return thread;
		});
		this.ticker.schedule(this::tick, this.properties.heartbeatInterval().toMillis(), TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		ScheduledExecutorService stopping;
		synchronized (this) {
			stopping = this.ticker;
			this.ticker = null;
		}
		if (stopping == null) {
			return;
		}
		stopping.shutdownNow();
		if (this.live.isEmpty() && this.rowWritten) {
			try {
				settleOwn(true);
				this.jdbc.update("DELETE FROM " + TABLE + " WHERE WORKER_ID = ?", this.id);
			}
			catch (DataAccessException ex) {
				logger.debug("Could not remove this worker from the history: " + ex.getMessage());
			}
		}
		// A run still going is left to the heartbeat going stale: a survivor takes it
		// over.
	}

	@Override
	public boolean isRunning() {
		return this.ticker != null;
	}

	/** Stops after the jobs have been stopped ({@link GracefulJobShutdown}). */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 2;
	}

	private void tick() {
		long delay = this.properties.heartbeatInterval().toMillis();
		try {
			if (heartbeat()) {
				settleOwn(false);
				if (this.serving) {
					takeOver();
				}
			}
			else {
				delay = Math.min(delay << Math.min(this.failures, 2), delay * 4);
			}
		}
		catch (RuntimeException ex) {
			logger.warn("Worker " + this.id + ": " + ex.getMessage());
		}
		ScheduledExecutorService current = this.ticker;
		if (current != null) {
			try {
				current.schedule(this::tick, delay, TimeUnit.MILLISECONDS);
			}
			catch (RuntimeException ex) {
				// stopping
			}
		}
	}

	/**
	 * Renews this worker's heartbeat (its row written when missing) and keeps the state
	 * of the history.
	 * @return whether the history answered
	 */
	synchronized boolean heartbeat() {
		try {
			ensureTable();
			int updated = this.jdbc.update("UPDATE " + TABLE + " SET HEARTBEAT = LOCALTIMESTAMP WHERE WORKER_ID = ?",
					this.id);
			if (updated == 0) {
				this.jdbc.update("INSERT INTO " + TABLE
						+ " (WORKER_ID, KIND, HOST, PID, STARTED, HEARTBEAT) VALUES (?, ?, ?, ?, LOCALTIMESTAMP, LOCALTIMESTAMP)",
						this.id, this.serving ? "serve" : "command", JobOwnerListener.hostName(),
						ProcessHandle.current().pid());
			}
			this.rowWritten = true;
			if (this.failures > 0) {
				logger.info("The history database answers again (after " + this.failures + " failed heartbeats)");
			}
			this.failures = 0;
			this.state = new HistoryState(true, Instant.now(), null, null);
			return true;
		}
		catch (DataAccessException ex) {
			this.failures++;
			String message = RootCause.message(ex);
			if (this.failures == 1) {
				logger.warn("The history database is unreachable (" + message + "): retrying with backoff");
			}
			HistoryState previous = this.state;
			this.state = new HistoryState(false, previous.lastHeartbeat(), Instant.now(), message);
			return false;
		}
	}

	/** Creates the table of workers where it is missing. */
	private void ensureTable() {
		if (this.tableReady) {
			return;
		}
		try {
			this.jdbc.execute("CREATE TABLE IF NOT EXISTS " + TABLE + " (WORKER_ID VARCHAR(200) NOT NULL PRIMARY KEY, "
					+ "KIND VARCHAR(20) NOT NULL, HOST VARCHAR(200), PID BIGINT, STARTED TIMESTAMP NOT NULL, "
					+ "HEARTBEAT TIMESTAMP NOT NULL, CLAIMED_BY VARCHAR(200), CLAIMED_AT TIMESTAMP)");
		}
		catch (DataAccessException ex) {
			// Two workers creating it at once: one of them made it.
			this.jdbc.queryForObject("SELECT COUNT(*) FROM " + TABLE, Long.class);
		}
		this.tableReady = true;
	}

	/**
	 * Ends, in the history, the executions of this worker that no job thread of it runs.
	 * @param all also those whose thread ended a moment ago
	 */
	private void settleOwn(boolean all) {
		for (Map.Entry<Long, Ended> entry : this.ended.entrySet()) {
			if (!all && System.nanoTime() - entry.getValue().atNanos() < this.properties.heartbeatInterval()
				.toNanos()) {
				continue;
			}
			String status = this.jdbc.query("SELECT STATUS FROM " + this.executions + " WHERE JOB_EXECUTION_ID = ?",
					(rs) -> rs.next() ? rs.getString(1) : null, entry.getKey());
			if (status != null && BatchStatus.valueOf(status).isRunning()) {
				writeEnd(entry.getValue().execution(),
						"its end is recorded late: the history was unreachable when it ended");
			}
			this.ended.remove(entry.getKey(), entry.getValue());
		}
		for (JobExecution execution : runningExecutions()) {
			if (isOwnAndGone(execution)) {
				settle(execution, "no job thread of worker " + this.id + " ran it any more");
			}
		}
	}

	/**
	 * Claims each worker that stopped heartbeating (one survivor wins the conditional
	 * UPDATE), fails its running executions and restarts those it had launched while
	 * serving.
	 */
	private void takeOver() {
		List<WorkerRow> workers = this.jdbc.query(
				"SELECT WORKER_ID, KIND, HEARTBEAT, CLAIMED_BY, LOCALTIMESTAMP, CLAIMED_AT FROM " + TABLE
						+ " WHERE WORKER_ID <> ?",
				(rs, row) -> new WorkerRow(rs.getString(1), rs.getString(2), rs.getTimestamp(3), rs.getString(4),
						age(rs.getTimestamp(3), rs.getTimestamp(5)),
						(rs.getTimestamp(6) != null) ? age(rs.getTimestamp(6), rs.getTimestamp(5)) : null),
				this.id);
		Duration after = this.properties.takeoverAfter();
		for (WorkerRow dead : workers) {
			if (dead.age().compareTo(after) <= 0
					|| (dead.claimedBy() != null && dead.claimAge() != null && dead.claimAge().compareTo(after) <= 0)) {
				continue;
			}
			int claimed = (dead.claimedBy() == null) ? this.jdbc.update("UPDATE " + TABLE
					+ " SET CLAIMED_BY = ?, CLAIMED_AT = LOCALTIMESTAMP WHERE WORKER_ID = ? AND HEARTBEAT = ? AND CLAIMED_BY IS NULL",
					this.id, dead.id(), dead.heartbeat())
					: this.jdbc.update("UPDATE " + TABLE
							+ " SET CLAIMED_BY = ?, CLAIMED_AT = LOCALTIMESTAMP WHERE WORKER_ID = ? AND HEARTBEAT = ? AND CLAIMED_BY = ?",
							this.id, dead.id(), dead.heartbeat(), dead.claimedBy());
			if (claimed == 0) {
				continue;
			}
			logger.warn("Worker " + dead.id() + " has not heartbeated for " + dead.age().toSeconds()
					+ " s: taking over its runs");
			List<Long> toRestart = new ArrayList<>();
			for (JobExecution execution : runningExecutions()) {
				if (dead.id().equals(execution.getExecutionContext().getString(WORKER, null))
						&& settle(execution,
								"its worker " + dead.id() + " stopped heartbeating; taken over by worker " + this.id)
						&& "serve".equals(dead.kind())) {
					toRestart.add(execution.getId());
				}
			}
			this.jdbc.update("DELETE FROM " + TABLE + " WHERE WORKER_ID = ?", dead.id());
			TakenOverRuns runs = this.takenOverRuns.getIfAvailable();
			for (Long executionId : toRestart) {
				if (runs == null) {
					continue;
				}
				try {
					runs.restartTakenOver(executionId);
				}
				catch (RuntimeException ex) {
					logger.warn("Could not restart execution " + executionId + " taken over from worker " + dead.id()
							+ ": " + ex.getMessage() + " (history restart " + executionId + " does it by hand)");
				}
			}
		}
	}

	private List<JobExecution> runningExecutions() {
		List<Long> ids = this.jdbc.queryForList(
				"SELECT JOB_EXECUTION_ID FROM " + this.executions + " WHERE STATUS IN " + RUNNING, Long.class);
		List<JobExecution> running = new ArrayList<>();
		for (Long executionId : ids) {
			JobExecution execution = this.jobRepository.getJobExecution(executionId);
			if (execution != null && execution.isRunning()) {
				running.add(execution);
			}
		}
		return running;
	}

	private Heartbeat heartbeatOf(String worker) {
		ensureTable();
		List<Heartbeat> rows = this.jdbc.query(
				"SELECT HEARTBEAT, LOCALTIMESTAMP FROM " + TABLE + " WHERE WORKER_ID = ?",
				(rs, row) -> new Heartbeat(age(rs.getTimestamp(1), rs.getTimestamp(2))), worker);
		return rows.isEmpty() ? null : rows.get(0);
	}

	private static Duration age(Timestamp then, Timestamp now) {
		return Duration.between(then.toLocalDateTime(), now.toLocalDateTime());
	}

	private static String truncate(String message) {
		return (message != null && message.length() > MAX_MESSAGE) ? message.substring(0, MAX_MESSAGE) : message;
	}

	/**
	 * The history database as the heartbeats met it.
	 *
	 * @param reachable whether the last heartbeat was recorded
	 * @param lastHeartbeat when the last heartbeat was recorded, {@code null} before any
	 * @param lastFailure when the last heartbeat failed, {@code null} when none did since
	 * @param failure what failed, one line
	 */
	public record HistoryState(boolean reachable, Instant lastHeartbeat, Instant lastFailure, String failure) {
	}

	private record Ended(JobExecution execution, long atNanos) {
	}

	private record Heartbeat(Duration age) {
	}

	private record WorkerRow(String id, String kind, Timestamp heartbeat, String claimedBy, Duration age,
			Duration claimAge) {
	}

	/** The innermost message of a failure, for one line. */
	static final class RootCause {

		private RootCause() {
		}

		static String message(Throwable ex) {
			Throwable cause = ex;
			while (cause.getCause() != null && cause.getCause() != cause) {
				cause = cause.getCause();
			}
			String message = (cause.getMessage() != null) ? cause.getMessage() : cause.getClass().getSimpleName();
			int newline = message.indexOf('\n');
			return (newline > 0) ? message.substring(0, newline) : message;
		}

	}

}
