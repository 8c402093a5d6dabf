package dev.workflowkeeper.ops;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

import dev.workflowkeeper.batch.GracefulJobShutdown;
import dev.workflowkeeper.batch.HistoryQueries;
import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.batch.JobStopper;
import dev.workflowkeeper.batch.TakenOverRuns;
import dev.workflowkeeper.batch.WorkerRegistry;
import dev.workflowkeeper.cli.CommandErrors;
import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.job.JobOptionException;
import dev.workflowkeeper.scheduling.JobSchedule;
import dev.workflowkeeper.scheduling.ScheduleRegistry;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreAddresses;
import dev.workflowkeeper.store.StoreInUseException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStores;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobExecutionAlreadyRunningException;
import org.springframework.batch.core.launch.JobInstanceAlreadyCompleteException;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.launch.JobRestartException;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Job control by hand, for the actuator, the dashboard and the {@code history} commands:
 * launch a job, stop, restart or abandon an execution. Launches and restarts run in the
 * background; each call returns as soon as the execution is in the history.
 * <p>
 * A job runs once at a time: a launch or restart while an execution of the same job runs
 * (in this worker or in any process sharing the history database) is refused. An
 * execution left running by a process that is gone is recovered (marked FAILED) first.
 * Every manual launch is a new job instance (a new {@value JobRunner#RUN} number); store
 * addresses are recorded masked, as the commands do.
 */
@Component
public class JobControl implements TakenOverRuns {

	private static final Log logger = LogFactory.getLog(JobControl.class);

	private static final Duration POLL = Duration.ofMillis(200);

	private final Map<String, Job> jobs = new TreeMap<>();

	private final JobOperator jobOperator;

	private final JobRepository jobRepository;

	private final HistoryQueries history;

	private final ObjectProvider<ScheduleRegistry> schedules;

	private final JobDefinitions definitions;

	private final StoreAddresses addresses;

	private final GracefulJobShutdown shutdown;

	private final JobStopper jobStopper;

	/** Runs launched jobs on their own threads, so that a launch answers at once. */
	private final JobOperator backgroundOperator;

	private final ObjectProvider<WorkflowStores> stores;

	private final WorkerRegistry workers;

	public JobControl(List<Job> jobs, JobOperator jobOperator, JobRepository jobRepository, HistoryQueries history,
			ObjectProvider<ScheduleRegistry> schedules, JobDefinitions definitions, StoreAddresses addresses,
			GracefulJobShutdown shutdown, JobStopper jobStopper,
			@Qualifier(JobControlConfiguration.BACKGROUND_JOB_OPERATOR) JobOperator backgroundOperator,
			ObjectProvider<WorkflowStores> stores, WorkerRegistry workers) {
		this.workers = workers;
		jobs.forEach((job) -> this.jobs.put(job.getName(), job));
		this.jobOperator = jobOperator;
		this.jobRepository = jobRepository;
		this.history = history;
		this.schedules = schedules;
		this.definitions = definitions;
		this.addresses = addresses;
		this.shutdown = shutdown;
		this.jobStopper = jobStopper;
		this.backgroundOperator = backgroundOperator;
		this.stores = stores;
	}

	/**
	 * The names of the jobs that can be launched: those with a Job bean and a definition.
	 */
	public List<String> jobNames() {
		return this.definitions.names().stream().filter(this.jobs::containsKey).toList();
	}

	/**
	 * Launches a new run of a job in the background.
	 * @param jobName the job's name in the history ({@code reportMemoryJob}, …)
	 * @param options the job's options by name; absent ones come from the job's schedule
	 * file when it has one, else from the job's defaults
	 * @return the run, as soon as its execution is in the history
	 * @throws UnknownJobException no such job
	 * @throws BadJobParameterException an unknown option or a wrong value
	 * @throws JobAlreadyRunningException the job runs already
	 * @throws WorkerShuttingDownException the worker is shutting down
	 */
	public synchronized LaunchedJob launch(String jobName, Map<String, Object> options) {
		Job job = job(jobName);
		Map<String, Object> merged = new LinkedHashMap<>(scheduledOptions(jobName));
		merged.putAll((options != null) ? options : Map.of());
		JobParameters identifying;
		try {
			identifying = this.definitions.parameters(jobName, merged);
		}
		catch (JobOptionException ex) {
			throw new BadJobParameterException(ex.getMessage());
		}
		checkNotRunning(jobName);
		checkNotShuttingDown();
		checkMemoryStoreFree(identifying);
		try {
			this.definitions.get(jobName).preflight(identifying);
		}
		catch (StoreInUseException ex) {
			throw new ExecutionStateException(ex.getMessage(), ex);
		}
		catch (RuntimeException ex) {
			throw new BadJobParameterException(StoreUri.mask(CommandErrors.oneLine(ex)));
		}
		JobParameters parameters = new JobParametersBuilder(identifying).addLong(JobRunner.RUN, nextRun(jobName))
			.toJobParameters();
		try {
			JobExecution execution = this.backgroundOperator.start(job, parameters);
			logger.info("Launched " + jobName + " by hand as execution " + execution.getId());
			return launched(execution);
		}
		catch (JobExecutionAlreadyRunningException ex) {
			throw new JobAlreadyRunningException(jobName + " is already running: " + ex.getMessage());
		}
		catch (InvalidJobParametersException ex) {
			throw new BadJobParameterException(StoreUri.mask(ex.getMessage()));
		}
		catch (JobInstanceAlreadyCompleteException | JobRestartException ex) {
			throw new ExecutionStateException(jobName + " could not be launched: " + StoreUri.mask(ex.getMessage()),
					ex);
		}
	}

	/**
	 * Asks a running execution to stop at its next chunk boundary; it ends STOPPED and
	 * can be restarted. Works for an execution of any live process that shares the
	 * history database.
	 * @throws UnknownExecutionException no such execution
	 * @throws ExecutionStateException it is not running, or its process is gone (abandon
	 * it instead)
	 */
	public void stop(long executionId) {
		JobExecution execution = execution(executionId);
		if (!execution.isRunning()) {
			throw new ExecutionStateException(
					"execution " + executionId + " is " + execution.getStatus() + ", not running");
		}
		if (this.workers.isOwnAndGone(execution)) {
			JobExecution stopping = this.jobRepository.getJobExecution(executionId);
			stopping.setStatus(BatchStatus.STOPPING);
			this.workers.settle(stopping, "stopped by hand; no job thread of this worker ran it any more");
			logger.info("Stopped execution " + executionId + " of " + jobName(execution) + ", which nobody ran");
			return;
		}
		if (this.workers.isGone(execution)) {
			throw new ExecutionStateException("execution " + executionId + " was left " + execution.getStatus()
					+ " by a worker that is gone (" + owner(execution) + "): abandon it, or restart it");
		}
		if (!this.jobStopper.stop(executionId)) {
			throw new ExecutionStateException("execution " + executionId + " is not running");
		}
		logger.info("Asked execution " + executionId + " of " + jobName(execution) + " to stop");
	}

	/**
	 * Restarts a FAILED or STOPPED execution from its last checkpoint, in the background.
	 * An execution left running by a process that is gone is recovered first.
	 * @return the new execution of the same job instance
	 * @throws UnknownExecutionException no such execution
	 * @throws ExecutionStateException it completed, was abandoned, runs, or was restarted
	 * already
	 * @throws JobAlreadyRunningException another execution of the job runs
	 * @throws WorkerShuttingDownException the worker is shutting down
	 */
	public synchronized LaunchedJob restart(long executionId) {
		JobExecution execution = recoverIfOwnerGone(execution(executionId));
		BatchStatus status = execution.getStatus();
		if (status != BatchStatus.FAILED && status != BatchStatus.STOPPED) {
			throw new ExecutionStateException("execution " + executionId + " is " + status
					+ ": only a FAILED or STOPPED execution can be restarted");
		}
		JobExecution last = this.jobRepository.getLastJobExecution(execution.getJobInstance());
		if (last != null && !Objects.equals(last.getId(), execution.getId())) {
			throw new ExecutionStateException("execution " + executionId + " was already restarted as execution "
					+ last.getId() + " (" + last.getStatus() + ")");
		}
		checkAddressesKnown(execution);
		String jobName = jobName(execution);
		job(jobName);
		checkNotRunning(jobName);
		checkNotShuttingDown();
		checkMemoryStoreFree(execution.getJobParameters());
		try {
			JobExecution restarted = this.backgroundOperator.restart(execution);
			logger.info("Restarted execution " + executionId + " of " + jobName + " as execution " + restarted.getId());
			return launched(restarted);
		}
		catch (JobRestartException ex) {
			Throwable cause = (ex.getCause() != null) ? ex.getCause() : ex;
			if (cause instanceof JobExecutionAlreadyRunningException) {
				throw new JobAlreadyRunningException(jobName + " is already running: " + cause.getMessage());
			}
			throw new ExecutionStateException(
					"execution " + executionId + " could not be restarted: " + StoreUri.mask(cause.getMessage()), ex);
		}
	}

	/**
	 * Marks an execution ABANDONED, so that it is never restarted and the next run of its
	 * job starts afresh: one that is STOPPED or FAILED, or one left running by a process
	 * that is gone.
	 * @throws UnknownExecutionException no such execution One that a live worker runs is
	 * asked to stop first and abandoned once it has stopped, which its worker records at
	 * its next chunk boundary, or at its next heartbeat when no job thread runs it any
	 * more.
	 * @throws ExecutionStateException it still runs after that, or it completed or was
	 * abandoned already
	 */
	public synchronized void abandon(long executionId) {
		JobExecution execution = execution(executionId);
		if (execution.isRunning() && !this.workers.isGone(execution)) {
			execution = stopAndAwait(execution);
		}
		execution = recoverIfOwnerGone(execution);
		BatchStatus status = execution.getStatus();
		if (status == BatchStatus.COMPLETED || status == BatchStatus.ABANDONED) {
			throw new ExecutionStateException("execution " + executionId + " is " + status + ": nothing to abandon");
		}
		JobExecution last = this.jobRepository.getLastJobExecution(execution.getJobInstance());
		if (last != null && !Objects.equals(last.getId(), execution.getId())) {
			throw new ExecutionStateException("execution " + executionId + " was already restarted as execution "
					+ last.getId() + " (" + last.getStatus() + "): nothing to abandon");
		}
		try {
			this.jobOperator.abandon(execution);
			logger.info("Abandoned execution " + executionId + " of " + jobName(execution) + " (was " + status + ")");
		}
		catch (JobExecutionAlreadyRunningException ex) {
			throw new ExecutionStateException("execution " + executionId + " is running: stop it first", ex);
		}
	}

	/**
	 * Asks a running execution to stop and waits for its worker to record that it did, at
	 * most three heartbeats and the owner's backoff.
	 */
	private JobExecution stopAndAwait(JobExecution execution) {
		long executionId = execution.getId();
		if (this.workers.isOwnAndGone(execution)) {
			return execution;
		}
		this.jobStopper.stop(executionId);
		long deadline = System.nanoTime()
				+ this.workers.properties().heartbeatInterval().multipliedBy(6).plusSeconds(5).toNanos();
		while (execution.isRunning() && !this.workers.isGone(execution)) {
			if (System.nanoTime() > deadline) {
				throw new ExecutionStateException("execution " + executionId + " is " + execution.getStatus() + " in "
						+ owner(execution) + ", asked to stop: abandon it once it has stopped");
			}
			try {
				Thread.sleep(POLL.toMillis());
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new ExecutionStateException(
						"execution " + executionId + " was asked to stop; abandon it once it has stopped", ex);
			}
			execution = execution(executionId);
		}
		return execution;
	}

	/** Restarts a run taken over from a dead worker (see {@link WorkerRegistry}). */
	@Override
	public void restartTakenOver(long executionId) {
		LaunchedJob restarted = restart(executionId);
		logger.info("Restarted execution " + executionId + ", taken over from a dead worker, as execution "
				+ restarted.executionId());
	}

	/**
	 * Waits until an execution is no longer running and returns it as stored.
	 * @throws UnknownExecutionException no such execution
	 */
	public JobExecution awaitEnd(long executionId) throws InterruptedException {
		JobExecution execution = execution(executionId);
		while (execution.isRunning()) {
			Thread.sleep(POLL.toMillis());
			execution = execution(executionId);
		}
		return execution;
	}

	/** The execution as stored, or 404. */
	public JobExecution execution(long executionId) {
		JobExecution execution = this.history.executionExists(executionId)
				? this.jobRepository.getJobExecution(executionId) : null;
		if (execution == null) {
			throw new UnknownExecutionException(executionId);
		}
		return execution;
	}

	private Job job(String jobName) {
		Job job = (jobName != null) ? this.jobs.get(jobName) : null;
		if (job == null || this.definitions.find(jobName).isEmpty()) {
			throw new UnknownJobException(
					"no job named '" + jobName + "'; known jobs: " + String.join(", ", jobNames()));
		}
		return job;
	}

	private Map<String, Object> scheduledOptions(String jobName) {
		ScheduleRegistry registry = this.schedules.getIfAvailable();
		return (registry != null) ? registry.schedule(jobName).map(JobSchedule::options).orElse(Map.of()) : Map.of();
	}

	/** Refuses when the job runs; recovers an execution whose process is gone. */
	private void checkNotRunning(String jobName) {
		for (JobExecution running : this.jobRepository.findRunningJobExecutions(jobName)) {
			if (this.workers.isGone(running)) {
				recoverIfOwnerGone(running);
			}
			else {
				throw new JobAlreadyRunningException(jobName + " is already running as execution " + running.getId()
						+ " (" + owner(running) + "); wait for it, or stop it first");
			}
		}
	}

	/**
	 * Refuses, before anything runs, a restart whose store addresses hide a password this
	 * process was not given: the run could not open its stores.
	 */
	private void checkAddressesKnown(JobExecution execution) {
		for (JobParameter<?> parameter : execution.getJobParameters()) {
			if (parameter.value() instanceof String address && address.contains(":****@")) {
				try {
					this.addresses.resolve(address);
				}
				catch (StoreAccessException ex) {
					throw new BadJobParameterException("execution " + execution.getId() + " works on " + address
							+ ", whose password this worker was not given: run the job's command again with the full "
							+ "address (it resumes the run), or give this worker that store as REDIS_URL and REDIS_PASSWORD");
				}
			}
		}
	}

	/**
	 * Refuses, before anything runs, a run on the {@code memory:} store while another
	 * process owns it (409); otherwise this worker takes it.
	 */
	private void checkMemoryStoreFree(JobParameters parameters) {
		WorkflowStores workflowStores = this.stores.getIfAvailable();
		if (workflowStores == null) {
			return;
		}
		try {
			workflowStores.claimMemoryStore(parameters);
		}
		catch (StoreInUseException ex) {
			throw new ExecutionStateException(ex.getMessage(), ex);
		}
	}

	private void checkNotShuttingDown() {
		if (this.shutdown.shuttingDown()) {
			throw new WorkerShuttingDownException();
		}
	}

	private JobExecution recoverIfOwnerGone(JobExecution execution) {
		if (!execution.isRunning() || !this.workers.isGone(execution)) {
			return execution;
		}
		logger.info("Execution " + execution.getId() + " was left " + execution.getStatus()
				+ " by nobody running it: recovering it");
		this.workers.settle(execution, "nobody ran it any more (" + owner(execution) + ")");
		return this.jobRepository.getJobExecution(execution.getId());
	}

	/**
	 * A run number no instance of the job has used, so that a manual launch is always a
	 * new instance.
	 */
	private long nextRun(String jobName) {
		return this.history.lastRunNumber(jobName) + 1;
	}

	private static LaunchedJob launched(JobExecution execution) {
		return new LaunchedJob(jobName(execution), execution.getId(), execution.getStatus().name());
	}

	private static String jobName(JobExecution execution) {
		return execution.getJobInstance().getJobName();
	}

	private static String owner(JobExecution execution) {
		return WorkerRegistry.ownerOf(execution);
	}

}
