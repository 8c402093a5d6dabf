package dev.workflowkeeper.batch;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.job.JobRunnerParameters;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;

/**
 * Launches a one-off job so that running the same command again resumes it: when the
 * latest instance with the same options failed, stopped, or was left STARTED by a process
 * that is gone, that instance is restarted from its last checkpoint; otherwise a new run
 * starts (a new value of the {@value #RUN} parameter).
 */
@Component
public class JobRunner {

	/** The parameter that tells apart runs of the same options. */
	public static final String RUN = JobRunnerParameters.RUN;

	private static final Log logger = LogFactory.getLog(JobRunner.class);

	private static final int LOOK_BACK = 200;

	private final JobOperator jobOperator;

	private final JobRepository jobRepository;

	private final JobDefinitions definitions;

	private final WorkerRegistry workers;

	public JobRunner(JobOperator jobOperator, JobRepository jobRepository, JobDefinitions definitions,
			WorkerRegistry workers) {
		this.jobOperator = jobOperator;
		this.jobRepository = jobRepository;
		this.definitions = definitions;
		this.workers = workers;
	}

	/**
	 * Runs {@code job} with {@code options} (identifying parameters without
	 * {@value #RUN}), resuming the latest matching instance when it did not complete.
	 * @throws JobAlreadyRunningException when a live process runs the same options now
	 */
	public JobExecution run(Job job, JobParameters options) throws Exception {
		long lastRun = 0;
		List<JobInstance> instances = this.jobRepository.getJobInstances(job.getName(), 0, LOOK_BACK);
		for (JobInstance instance : instances) {
			JobExecution last = this.jobRepository.getLastJobExecution(instance);
			if (last == null || !sameOptions(last.getJobParameters(), options)) {
				continue;
			}
			Long run = last.getJobParameters().getLong(RUN);
			lastRun = Math.max(lastRun, (run != null) ? run : 0);
			BatchStatus status = last.getStatus();
			if (status.isRunning()) {
				if (!this.workers.isGone(last)) {
					throw new JobAlreadyRunningException(last);
				}
				logger.info("Execution " + last.getId() + " was left " + status
						+ " by a worker that is gone: recovering it");
				this.workers.settle(last, "nobody ran it any more (" + WorkerRegistry.ownerOf(last) + ")");
				return resume(job, this.jobRepository.getJobExecution(last.getId()), options);
			}
			if (status == BatchStatus.FAILED || status == BatchStatus.STOPPED) {
				return resume(job, last, options);
			}
			break;
		}
		JobParameters parameters = new JobParametersBuilder(options).addLong(RUN, lastRun + 1).toJobParameters();
		return this.jobOperator.start(job, parameters);
	}

	/**
	 * Whether {@link #run} with these options would resume an earlier run (the latest
	 * instance of the same options failed, stopped, or was left running by a process that
	 * is gone) rather than start a new one: a resumed run is not preflighted
	 * ({@link JobDefinition#preflight}), since its target already holds part of its work.
	 */
	public boolean resumes(Job job, JobParameters options) {
		for (JobInstance instance : this.jobRepository.getJobInstances(job.getName(), 0, LOOK_BACK)) {
			JobExecution last = this.jobRepository.getLastJobExecution(instance);
			if (last == null || !sameOptions(last.getJobParameters(), options)) {
				continue;
			}
			BatchStatus status = last.getStatus();
			return (status.isRunning() && this.workers.isGone(last)) || status == BatchStatus.FAILED
					|| status == BatchStatus.STOPPED;
		}
		return false;
	}

	/**
	 * Restarts the instance of {@code previous} with its stored parameters, but for the
	 * options its job {@linkplain JobDefinition#optionsRenewedOnResume renews} from the
	 * command that resumes it.
	 */
	private JobExecution resume(Job job, JobExecution previous, JobParameters options) throws Exception {
		logger.info("Resuming " + job.getName() + " from execution " + previous.getId() + " (" + previous.getStatus()
				+ ")");
		Set<String> renewed = this.definitions.find(job.getName())
			.map(JobDefinition::optionsRenewedOnResume)
			.orElse(Set.of());
		JobParametersBuilder parameters = new JobParametersBuilder(previous.getJobParameters());
		for (JobParameter<?> parameter : options) {
			if (!parameter.identifying() && renewed.contains(parameter.name())) {
				parameters.addJobParameter(parameter);
			}
		}
		return this.jobOperator.start(job, parameters.toJobParameters());
	}

	static boolean sameOptions(JobParameters stored, JobParameters options) {
		return identifying(stored).equals(identifying(options));
	}

	private static Map<String, Object> identifying(JobParameters parameters) {
		Map<String, Object> values = new TreeMap<>();
		for (JobParameter<?> parameter : parameters) {
			if (parameter.identifying() && !RUN.equals(parameter.name())) {
				values.put(parameter.name(), Objects.toString(parameter.value()));
			}
		}
		return values;
	}

	/** Another live process runs the same job with the same options. */
	public static class JobAlreadyRunningException extends RuntimeException {

		private final transient JobExecution execution;

		JobAlreadyRunningException(JobExecution execution) {
			super("the same " + execution.getJobInstance().getJobName() + " is already running as execution "
					+ execution.getId() + " (" + WorkerRegistry.ownerOf(execution) + "); wait for it or stop it first");
			this.execution = execution;
		}

		public JobExecution execution() {
			return this.execution;
		}

	}

}
