package dev.workflowkeeper.ops.dashboard;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

import dev.workflowkeeper.batch.JobOwnerListener;
import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.maintenance.MaintenanceStores;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.stereotype.Component;

/**
 * Launches a job for the dashboard: a new run (a new value of the {@value JobRunner#RUN} parameter)
 * started on a thread of its own through the {@link JobOperator}, answered once its execution is in
 * the history. Options are non-identifying job parameters, as a schedule gives them; a store address
 * is recorded masked, and any other value holding a password is refused.
 * <p>
 * A stand-in until the worker's shared job control takes over the launching.
 */
@Component
class OperatorJobLauncher implements JobLauncherPort {

	private static final Duration STARTED_WITHIN = Duration.ofSeconds(10);

	private final Map<String, Job> jobs = new TreeMap<>();

	private final JobOperator jobOperator;

	private final JobRepository jobRepository;

	private final MaintenanceStores stores;

	private final SimpleAsyncTaskExecutor launchExecutor = new SimpleAsyncTaskExecutor("keeper-launch-");

	private final AtomicLong lastRun = new AtomicLong();

	OperatorJobLauncher(List<Job> jobs, JobOperator jobOperator, JobRepository jobRepository, MaintenanceStores stores) {
		jobs.forEach((job) -> this.jobs.put(job.getName(), job));
		this.jobOperator = jobOperator;
		this.jobRepository = jobRepository;
		this.stores = stores;
	}

	@Override
	public LaunchedJob launch(String name, Map<String, Object> options) {
		Job job = this.jobs.get(name);
		if (job == null) {
			throw new UnknownJobException("no job named '" + name + "'; known jobs: " + String.join(", ", this.jobs.keySet()));
		}
		JobParameters parameters = parameters(options);
		for (JobExecution running : this.jobRepository.findRunningJobExecutions(name)) {
			if (!JobOwnerListener.ownerIsGone(running)) {
				throw new JobAlreadyRunningException(name + " is already running as execution " + running.getId());
			}
		}
		CompletableFuture<JobExecution> run = new CompletableFuture<>();
		this.launchExecutor.execute(() -> {
			try {
				run.complete(this.jobOperator.start(job, parameters));
			}
			catch (Throwable ex) {
				run.completeExceptionally(ex);
			}
		});
		return awaitExecution(name, parameters, run);
	}

	private JobParameters parameters(Map<String, Object> options) {
		JobParametersBuilder builder = new JobParametersBuilder();
		if (options != null) {
			options.forEach((option, value) -> builder.addString(option, value(option, value), false));
		}
		// Unique within this worker and increasing, so two clicks in one millisecond are two runs.
		long run = this.lastRun.updateAndGet((last) -> Math.max(last + 1, System.currentTimeMillis()));
		return builder.addLong(JobRunner.RUN, run).toJobParameters();
	}

	private String value(String option, Object value) {
		if (JobRunner.RUN.equals(option)) {
			throw new BadJobParameterException("option '" + JobRunner.RUN + "' is set by the worker");
		}
		if (value == null || value instanceof Map || value instanceof List) {
			throw new BadJobParameterException("option '" + option + "' must be a string, a number or a boolean");
		}
		String text = value.toString();
		if (MaintenanceStores.STORE.equals(option)) {
			try {
				return this.stores.parameter(text);
			}
			catch (IllegalArgumentException ex) {
				throw new BadJobParameterException(ex.getMessage());
			}
		}
		if (!StoreUri.mask(text).equals(text)) {
			throw new BadJobParameterException("option '" + option + "' holds a password, which would be kept in the history");
		}
		return text;
	}

	private LaunchedJob awaitExecution(String name, JobParameters parameters, CompletableFuture<JobExecution> run) {
		long deadline = System.nanoTime() + STARTED_WITHIN.toNanos();
		while (System.nanoTime() < deadline) {
			if (run.isDone()) {
				return launched(name, finished(run));
			}
			JobInstance instance = this.jobRepository.getJobInstance(name, parameters);
			JobExecution execution = (instance != null) ? this.jobRepository.getLastJobExecution(instance) : null;
			if (execution != null) {
				return launched(name, execution);
			}
			try {
				Thread.sleep(25);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while " + name + " was starting");
			}
		}
		throw new IllegalStateException(name + " was launched but its execution did not appear within "
				+ STARTED_WITHIN.toSeconds() + " s; see the worker's log");
	}

	private static JobExecution finished(CompletableFuture<JobExecution> run) {
		try {
			return run.get();
		}
		catch (ExecutionException ex) {
			if (ex.getCause() instanceof InvalidJobParametersException invalid) {
				throw new BadJobParameterException(invalid.getMessage());
			}
			throw new IllegalStateException("could not launch: " + ex.getCause().getMessage(), ex.getCause());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while the job was starting");
		}
	}

	private static LaunchedJob launched(String name, JobExecution execution) {
		return new LaunchedJob(name, execution.getId(), execution.getStatus().name());
	}

}
