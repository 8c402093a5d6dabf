package dev.workflowkeeper.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Stops the jobs this process runs when it is asked to end (SIGTERM: the JVM's shutdown hook
 * closes the application), whoever launched them: a one-off command, the timer or job control.
 * Each is asked to stop at its next chunk boundary and is waited for, at most
 * {@code keeper.scheduling.shutdown-timeout}, before the history database and the stores close: it
 * ends STOPPED, and running the same command again (or {@code history restart}) resumes it.
 * <p>
 * Spring Batch's own {@code JobExecutionShutdownHook} only asks the execution to stop; it does not
 * hold the application's close until the execution has stopped, and knows one execution only.
 */
@Component
public class GracefulJobShutdown implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(GracefulJobShutdown.class);

	private final JobOperator jobOperator;

	private final JobRepository jobRepository;

	private final Duration timeout;

	private volatile boolean running;

	public GracefulJobShutdown(JobOperator jobOperator, JobRepository jobRepository,
			@Value("${keeper.scheduling.shutdown-timeout:30s}") Duration timeout) {
		this.jobOperator = jobOperator;
		this.jobRepository = jobRepository;
		this.timeout = timeout;
	}

	@Override
	public void start() {
		this.running = true;
	}

	@Override
	public void stop() {
		this.running = false;
		List<JobExecution> stopping = new ArrayList<>();
		for (JobExecution execution : ownRunningExecutions()) {
			try {
				this.jobOperator.stop(execution);
				stopping.add(execution);
				logger.info("Shutting down: asked " + execution.getJobInstance().getJobName() + " execution "
						+ execution.getId() + " to stop at its next chunk boundary");
			}
			catch (Exception ex) {
				logger.warn("Shutting down: could not stop execution " + execution.getId() + ": " + ex.getMessage());
			}
		}
		long deadline = System.nanoTime() + this.timeout.toNanos();
		for (JobExecution execution : stopping) {
			try {
				while (isRunning(execution.getId())) {
					if (System.nanoTime() > deadline) {
						logger.warn("Shutting down with execution " + execution.getId()
								+ " still running: it is left to be recovered (history abandon/restart)");
						break;
					}
					Thread.sleep(100);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				return;
			}
		}
	}

	/** The executions that this process runs now, per the owner its {@link JobOwnerListener} recorded. */
	List<JobExecution> ownRunningExecutions() {
		List<JobExecution> own = new ArrayList<>();
		String pid = Long.toString(ProcessHandle.current().pid());
		for (String job : this.jobRepository.getJobNames()) {
			for (JobExecution execution : this.jobRepository.findRunningJobExecutions(job)) {
				var context = execution.getExecutionContext();
				if (context.containsKey(JobOwnerListener.PID) && pid.equals(String.valueOf(context.get(JobOwnerListener.PID)))
						&& JobOwnerListener.hostName().equals(context.getString(JobOwnerListener.HOST, ""))) {
					own.add(execution);
				}
			}
		}
		return own;
	}

	private boolean isRunning(long executionId) {
		JobExecution execution = this.jobRepository.getJobExecution(executionId);
		return execution != null && execution.isRunning();
	}

	@Override
	public boolean isRunning() {
		return this.running;
	}

	/** After the timer has stopped firing (its phase stops first), before the web server stops. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 1;
	}

}
