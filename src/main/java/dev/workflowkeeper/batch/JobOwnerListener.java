package dev.workflowkeeper.batch;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.stereotype.Component;

/**
 * Records which worker runs a job execution (its {@link WorkerRegistry} id, host and pid)
 * in its ExecutionContext, as soon as it starts, so that an execution left STARTED by a
 * dead worker or by a job thread that gave up can be told from a running one; tells the
 * registry when the job thread starts and ends it; and logs one line when a job starts
 * and one when it ends, with its counts. Every job registers it.
 */
@Component
public class JobOwnerListener implements JobExecutionListener {

	/** ExecutionContext key of the owner's host name. */
	public static final String HOST = "owner.host";

	/** ExecutionContext key of the owner's process id. */
	public static final String PID = "owner.pid";

	private final JobRepository jobRepository;

	private final WorkerRegistry workers;

	public JobOwnerListener(JobRepository jobRepository, WorkerRegistry workers) {
		this.jobRepository = jobRepository;
		this.workers = workers;
	}

	private static final Log logger = LogFactory.getLog(JobOwnerListener.class);

	@Override
	public void beforeJob(JobExecution jobExecution) {
		logger.info("Job " + jobExecution.getJobInstance().getJobName() + " execution " + jobExecution.getId()
				+ " started with " + ExecutionHistory.summarize(jobExecution).parameters());
		this.workers.started(jobExecution);
		jobExecution.getExecutionContext().putString(HOST, hostName());
		jobExecution.getExecutionContext().putLong(PID, ProcessHandle.current().pid());
		jobExecution.getExecutionContext().putString(WorkerRegistry.WORKER, this.workers.id());
		this.jobRepository.updateExecutionContext(jobExecution);
	}

	@Override
	public void afterJob(JobExecution jobExecution) {
		this.workers.ended(jobExecution);
		ExecutionHistory.ExecutionSummary summary = ExecutionHistory.summarize(jobExecution);
		logger.info("Job " + summary.job() + " execution " + summary.id() + " ended " + summary.status() + " ("
				+ summary.exitCode() + ") in "
				+ ((summary.duration() != null) ? summary.duration().toMillis() + " ms" : "?") + ": read "
				+ summary.read() + ", written " + summary.written() + ", skipped " + summary.skipped() + ", filtered "
				+ summary.filtered() + (summary.figures().isEmpty() ? "" : ", " + summary.figures()));
	}

	/**
	 * Whether the process that ran an execution recorded before workers had ids is known
	 * to be gone (same host, pid not alive); {@link WorkerRegistry#isGone} asks it for
	 * those.
	 */
	static boolean ownerIsGone(JobExecution jobExecution) {
		var context = jobExecution.getExecutionContext();
		if (!context.containsKey(PID) || !hostName().equals(context.getString(HOST, ""))) {
			return false;
		}
		long pid = context.getLong(PID);
		return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map((p) -> !p.isAlive()).orElse(true);
	}

	static String hostName() {
		try {
			return InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			return "unknown";
		}
	}

}
