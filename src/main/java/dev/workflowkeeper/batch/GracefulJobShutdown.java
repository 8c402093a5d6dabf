package dev.workflowkeeper.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Stops the jobs this process runs when it is asked to end, whoever launched them: a
 * one-off command, the timer or job control. Each is asked to stop at its next chunk
 * boundary and is waited for, at most {@code keeper.scheduling.shutdown-timeout}, while
 * the history database is still open: it ends STOPPED, and running the same command again
 * (or {@code history restart}) resumes it.
 * <p>
 * On SIGTERM and SIGINT this happens before the JVM's shutdown hooks run, from a signal
 * handler that then hands the signal to the JVM's own: shutdown hooks run concurrently,
 * and H2's (which a history database shared with {@code AUTO_SERVER} cannot turn off)
 * would close the history under a job that is still recording its last chunk; the worker
 * ({@code serve}) is closed there too, for the same reason. When the application is
 * closed otherwise, it happens first thing in the close. Spring Batch's
 * {@code JobExecutionShutdownHook} only asks one execution to stop, from one more
 * concurrent hook, and does not wait for it.
 */
@Component
public class GracefulJobShutdown implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(GracefulJobShutdown.class);

	private static final List<String> SIGNALS = List.of("TERM", "INT");

	private final JobStopper jobStopper;

	private final JobRepository jobRepository;

	private final Duration timeout;

	private volatile boolean running;

	private volatile boolean signalled;

	private volatile int signalNumber;

	private final Map<String, SignalHandler> previousHandlers = new ConcurrentHashMap<>();

	private final ApplicationContext context;

	private final WorkerRegistry workers;

	public GracefulJobShutdown(JobStopper jobStopper, JobRepository jobRepository,
			@Value("${keeper.scheduling.shutdown-timeout:30s}") Duration timeout, ApplicationContext context,
			WorkerRegistry workers) {
		this.workers = workers;
		this.jobStopper = jobStopper;
		this.jobRepository = jobRepository;
		this.timeout = timeout;
		this.context = context;
	}

	@Override
	public synchronized void start() {
		this.running = true;
		for (String name : SIGNALS) {
			try {
				this.previousHandlers.put(name, Signal.handle(new Signal(name), this::onSignal));
			}
			catch (IllegalArgumentException ex) {
				logger.debug("Cannot handle SIG" + name + " (" + ex.getMessage() + "): jobs are stopped on close only");
			}
		}
	}

	@Override
	public synchronized void stop() {
		this.running = false;
		this.previousHandlers.forEach((name, previous) -> Signal.handle(new Signal(name), previous));
		this.previousHandlers.clear();
		try {
			stopOwnJobs();
		}
		catch (RuntimeException ex) {
			// After a signal the jobs were stopped already, and the history may be closed
			// by now.
			if (!this.signalled) {
				logger.warn("Could not stop the running jobs: " + ex.getMessage());
			}
		}
	}

	/**
	 * Stops the jobs, then lets the JVM do what it does with the signal (run its shutdown
	 * hooks and exit).
	 */
	private void onSignal(Signal signal) {
		boolean first = !this.signalled;
		if (first) {
			this.signalNumber = signal.getNumber();
		}
		this.signalled = true;
		SignalHandler previous = this.previousHandlers.get(signal.getName());
		if (first) {
			// A second signal (Ctrl-C again) does not wait.
			logger.info("Received SIG" + signal.getName() + ": stopping the running jobs at their next chunk boundary");
			try {
				stopOwnJobs();
			}
			catch (RuntimeException ex) {
				logger.warn("Could not stop the running jobs: " + ex.getMessage());
			}
			closeWorker();
		}
		if (previous != null && previous != SignalHandler.SIG_DFL && previous != SignalHandler.SIG_IGN) {
			previous.handle(signal);
		}
		else if (previous != SignalHandler.SIG_IGN) {
			System.exit(128 + signal.getNumber());
		}
	}

	/**
	 * Closes the worker's context (web server, history hand-over, connection pool) before
	 * the JVM's shutdown hooks run, among them H2's, which would otherwise close the
	 * history under it. A one-off command closes its own context when its job has
	 * stopped.
	 */
	private void closeWorker() {
		if (this.context instanceof WebServerApplicationContext
				&& this.context instanceof ConfigurableApplicationContext worker) {
			try {
				worker.close();
			}
			catch (RuntimeException ex) {
				logger.warn("Could not close the worker: " + ex.getMessage());
			}
		}
	}

	private void stopOwnJobs() {
		List<JobExecution> stopping = new ArrayList<>();
		for (JobExecution execution : ownRunningExecutions()) {
			try {
				if (!this.jobStopper.stop(execution.getId())) {
					continue;
				}
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

	/**
	 * The number of the signal (SIGINT 2, SIGTERM 15) that asked this process to end, or
	 * 0 when none did.
	 */
	public int signalNumber() {
		return this.signalNumber;
	}

	/** Whether this process is stopping its jobs to end: no new run should start. */
	public boolean shuttingDown() {
		return this.signalled || !this.running;
	}

	/** The executions that a job thread of this process runs now. */
	List<JobExecution> ownRunningExecutions() {
		List<JobExecution> own = new ArrayList<>();
		for (Long id : this.workers.liveExecutionIds()) {
			JobExecution execution = this.jobRepository.getJobExecution(id);
			if (execution != null && execution.isRunning()) {
				own.add(execution);
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

	/**
	 * After the timer has stopped firing (its phase stops first), before the web server
	 * stops.
	 */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE - 1;
	}

}
