package dev.workflowkeeper.scheduling;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.workflowkeeper.batch.HistoryQueries;
import dev.workflowkeeper.batch.JobStopper;
import dev.workflowkeeper.batch.WorkerRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.core.task.TaskExecutor;
import org.springframework.dao.DataAccessException;

/**
 * Turns the firing of a schedule slot into at most one job execution, whichever worker
 * fires it.
 * <p>
 * The slot's fire time is the job instance's only identifying parameter
 * ({@value JobSchedule#SLOT}), so the history database decides which worker runs it: the
 * worker whose insert of the slot's instance commits first takes it (the
 * {@code JOB_INST_UN} constraint; instances are created at read-committed isolation,
 * {@code spring.batch.jdbc.isolation-level-for-create}), creates its execution and runs
 * the job; the others find the instance there, or lose the insert with a duplicate key,
 * log that the slot was taken by another worker, and record nothing. The launch does not
 * go through {@code JobOperator.start}: it would create an execution for an instance that
 * another worker has just created (Spring Batch 6 creates the instance and its execution
 * in separate transactions), or restart the slot of another worker's run that failed. A
 * slot that fires while an earlier run of the same job still runs is not stacked: its
 * instance is recorded as {@link BatchStatus#ABANDONED} with the exit code
 * {@value #SKIPPED_OVERLAP}.
 * <p>
 * Runs are launched on {@code launchExecutor}, so that the timer thread is free to see
 * the next slot come while a run goes on.
 */
class SlotLauncher {

	/**
	 * The exit code of a slot that was not run because an earlier run of its job still
	 * ran.
	 */
	static final String SKIPPED_OVERLAP = HistoryQueries.SKIPPED_OVERLAP;

	private static final Log logger = LogFactory.getLog(SlotLauncher.class);

	private final JobOperator jobOperator;

	private final JobRepository jobRepository;

	private final Map<String, Job> jobs;

	private final TaskExecutor launchExecutor;

	private final JobStopper jobStopper;

	private final WorkerRegistry workers;

	/** The run each job has in flight in this worker, by job name. */
	private final Map<String, Launch> launches = new ConcurrentHashMap<>();

	SlotLauncher(JobOperator jobOperator, JobRepository jobRepository, Map<String, Job> jobs,
			TaskExecutor launchExecutor, WorkerRegistry workers) {
		this.workers = workers;
		this.jobOperator = jobOperator;
		this.jobRepository = jobRepository;
		this.jobs = Map.copyOf(jobs);
		this.launchExecutor = launchExecutor;
		this.jobStopper = new JobStopper(jobRepository);
	}

	/**
	 * Fires one slot of a schedule: launches its run, or records it as skipped, or does
	 * nothing when the slot is already taken.
	 * @return what happened, with the run when one was launched
	 */
	synchronized Firing fire(JobSchedule schedule, Instant slot) {
		Job job = this.jobs.get(schedule.job());
		if (job == null) {
			throw new IllegalStateException(schedule.file() + ": no job named '" + schedule.job() + "'");
		}
		String name = job.getName();
		JobParameters parameters = schedule.parameters(slot);
		if (this.jobRepository.getJobInstance(name, parameters) != null) {
			logger.info(name + " slot " + slot + " is already taken: nothing to do");
			return Firing.of(Outcome.ALREADY_TAKEN);
		}
		Launch launch = this.launches.get(name);
		if (launch != null && launch.slot().equals(slot)) {
			logger.info(name + " slot " + slot + " is already being launched: nothing to do");
			return Firing.of(Outcome.ALREADY_TAKEN);
		}
		JobExecution running = runningExecution(name);
		if (running != null) {
			return recordOverlap(name, parameters, slot, "execution " + running.getId() + " (slot "
					+ running.getJobParameters().getString(JobSchedule.SLOT, "none") + ")");
		}
		if (launch != null) {
			// Launched here, not yet in the history database.
			return recordOverlap(name, parameters, slot,
					"the run of slot " + launch.slot() + " launched by this worker");
		}
		CompletableFuture<JobExecution> run = new CompletableFuture<>();
		Launch launched = new Launch(slot, run);
		this.launches.put(name, launched);
		try {
			this.launchExecutor.execute(() -> run(job, parameters, launched));
		}
		catch (RuntimeException ex) {
			this.launches.remove(name, launched);
			run.completeExceptionally(ex);
			throw ex;
		}
		return new Firing(Outcome.LAUNCHED, run);
	}

	/** The slots in flight in this worker, by job name. */
	Map<String, Instant> inFlight() {
		Map<String, Instant> slots = new TreeMap<>();
		this.launches.forEach((name, launch) -> slots.put(name, launch.slot()));
		return slots;
	}

	/** Asks every run in flight in this worker to stop at its next chunk boundary. */
	void stopInFlight() {
		this.launches.forEach((name, launch) -> {
			JobInstance instance = this.jobRepository.getJobInstance(name, JobSchedule.slotParameters(launch.slot()));
			JobExecution execution = (instance != null) ? this.jobRepository.getLastJobExecution(instance) : null;
			if (execution != null && execution.isRunning()) {
				try {
					this.jobStopper.stop(execution.getId());
					logger
						.info(name + " slot " + launch.slot() + ": asked execution " + execution.getId() + " to stop");
				}
				catch (Exception ex) {
					logger.warn(name + " slot " + launch.slot() + ": could not stop execution " + execution.getId()
							+ ": " + ex.getMessage());
				}
			}
		});
	}

	/**
	 * Waits for every run in flight, at most until {@code deadlineNanos}
	 * ({@link System#nanoTime}).
	 */
	void awaitInFlight(long deadlineNanos) throws InterruptedException {
		for (Launch launch : this.launches.values()) {
			long left = deadlineNanos - System.nanoTime();
			if (left <= 0) {
				return;
			}
			try {
				launch.run().get(left, TimeUnit.NANOSECONDS);
			}
			catch (ExecutionException | TimeoutException ex) {
				// reported by the run itself, or still running: the caller tells which
			}
		}
	}

	private void run(Job job, JobParameters parameters, Launch launch) {
		JobExecution execution = null;
		Throwable failure = null;
		try {
			execution = start(job, parameters, launch.slot());
		}
		catch (Throwable ex) {
			failure = ex;
		}
		finally {
			// Out of flight before anyone waiting on the run hears of its end.
			this.launches.remove(job.getName(), launch);
		}
		if (failure != null) {
			launch.run().completeExceptionally(failure);
		}
		else {
			launch.run().complete(execution);
		}
	}

	/**
	 * Starts the slot's run; {@code null} when another worker took the slot meanwhile.
	 */
	private JobExecution start(Job job, JobParameters parameters, Instant slot) throws Exception {
		String name = job.getName();
		JobInstance instance;
		try {
			if (job.getJobParametersValidator() != null) {
				job.getJobParametersValidator().validate(parameters);
			}
			instance = this.jobRepository.createJobInstance(name, parameters);
		}
		catch (DataAccessException | IllegalStateException ex) {
			// The insert lost to another worker's (a duplicate key), or the instance was
			// there already: the slot's instance tells.
			if (!slotInstanceAppears(name, parameters)) {
				logger.error(name + " slot " + slot + " could not be launched: " + ex.getMessage(), ex);
				throw ex;
			}
			logger.info(name + " slot " + slot + " was taken by another worker");
			return null;
		}
		catch (Exception ex) {
			logger.error(name + " slot " + slot + " could not be launched: " + ex.getMessage(), ex);
			throw ex;
		}
		JobExecution execution = this.jobRepository.createJobExecution(instance, parameters, new ExecutionContext());
		job.execute(execution);
		logger.info(name + " slot " + slot + " ran as execution " + execution.getId() + ": " + execution.getStatus()
				+ " (" + execution.getExitStatus().getExitCode() + ")");
		return execution;
	}

	/**
	 * The job's execution that runs now, in any worker; an execution left running by a
	 * process that is known to be gone is recovered (marked FAILED) instead.
	 */
	private JobExecution runningExecution(String name) {
		JobExecution running = null;
		for (JobExecution execution : this.jobRepository.findRunningJobExecutions(name)) {
			if (this.workers.isGone(execution)) {
				logger.info(name + " execution " + execution.getId() + " was left " + execution.getStatus()
						+ " by nobody running it (" + WorkerRegistry.ownerOf(execution) + "): recovering it");
				this.workers.settle(execution, "nobody ran it any more (" + WorkerRegistry.ownerOf(execution) + ")");
			}
			else if (running == null || execution.getId() < running.getId()) {
				running = execution;
			}
		}
		return running;
	}

	private Firing recordOverlap(String name, JobParameters parameters, Instant slot, String runningOne) {
		String description = "skipped: " + runningOne + " was still running";
		try {
			JobInstance instance = this.jobRepository.createJobInstance(name, parameters);
			JobExecution execution = this.jobRepository.createJobExecution(instance, parameters,
					new ExecutionContext());
			LocalDateTime now = LocalDateTime.now();
			execution.setStartTime(now);
			execution.setEndTime(now);
			execution.setStatus(BatchStatus.ABANDONED);
			execution.setExitStatus(new ExitStatus(SKIPPED_OVERLAP, description));
			this.jobRepository.update(execution);
			logger.warn(
					name + " slot " + slot + " " + description + " (recorded as execution " + execution.getId() + ")");
			return Firing.of(Outcome.SKIPPED_OVERLAP);
		}
		catch (DataAccessException | IllegalStateException ex) {
			// Another worker took the slot first: its instance exists, or is about to.
			if (!slotInstanceAppears(name, parameters)) {
				throw ex;
			}
			logger
				.info(name + " slot " + slot + " was taken by another worker (" + ex.getClass().getSimpleName() + ")");
			return Firing.of(Outcome.ALREADY_TAKEN);
		}
	}

	/** What the firing of a slot did. */
	enum Outcome {

		/** A run was launched in this worker. */
		LAUNCHED,

		/** The slot has an instance already: another firing or another worker took it. */
		ALREADY_TAKEN,

		/** An earlier run of the job still ran: the slot was recorded as skipped. */
		SKIPPED_OVERLAP

	}

	/**
	 * The firing of a slot.
	 *
	 * @param outcome what happened
	 * @param run the launched run, completed with its execution (or {@code null} when
	 * another worker took the slot meanwhile); already completed when nothing was
	 * launched
	 */
	record Firing(Outcome outcome, CompletableFuture<JobExecution> run) {

		static Firing of(Outcome outcome) {
			return new Firing(outcome, CompletableFuture.completedFuture(null));
		}

	}

	private record Launch(Instant slot, CompletableFuture<JobExecution> run) {
	}

	/**
	 * Whether the slot's instance is in the repository, waiting a little for the other
	 * worker's transaction that made it to commit.
	 */
	private boolean slotInstanceAppears(String name, JobParameters parameters) {
		for (int attempt = 0; attempt < 20; attempt++) {
			if (this.jobRepository.getJobInstance(name, parameters) != null) {
				return true;
			}
			try {
				Thread.sleep(50);
			}
			catch (InterruptedException interrupted) {
				Thread.currentThread().interrupt();
				return false;
			}
		}
		return false;
	}

}
