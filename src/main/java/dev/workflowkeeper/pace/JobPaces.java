package dev.workflowkeeper.pace;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import dev.workflowkeeper.config.KeeperProperties;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.core.job.AbstractJob;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.core.scope.context.StepContext;
import org.springframework.batch.core.scope.context.StepSynchronizationManager;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The pace of each running job execution ({@link JobPace}), found from the step in
 * progress: a store opened while a step runs ({@code WorkflowStores.open} from a
 * step-scoped bean) is paced by the options of that step's job ({@code maxRate},
 * {@code latencyBudget}, or {@code keeper.redis.pace.*}); a store opened outside a step
 * (a health check, a command's preflight) is not. So every job that works a Redis is
 * paced, on every launch path, without its configuration saying so. A job with its limits
 * off may use the cores the worker otherwise leaves to others ({@link CoreShare}). An
 * execution's pace is dropped when it ends.
 */
@Component
public class JobPaces implements JobExecutionListener {

	private static final Log logger = LogFactory.getLog(JobPaces.class);

	private final KeeperProperties.Redis.Pace defaults;

	private final Map<Long, JobPace> running = new ConcurrentHashMap<>();

	private final ObjectProvider<MeterRegistry> registry;

	/** The probe's latest percentiles, by job and quantile, for the gauges. */
	private final Map<String, AtomicLong> latestProbe = new ConcurrentHashMap<>();

	public JobPaces(KeeperProperties properties, ObjectProvider<MeterRegistry> registry) {
		this.defaults = properties.redis().pace();
		this.registry = registry;
	}

	/**
	 * The pace of the job whose step runs on this thread; {@link PaceMeter#UNLIMITED}
	 * outside a step.
	 */
	public PaceMeter current() {
		StepContext context = StepSynchronizationManager.getContext();
		return (context != null) ? of(context.getStepExecution()) : PaceMeter.UNLIMITED;
	}

	/** The pace of the job {@code step} belongs to. */
	public JobPace of(StepExecution step) {
		JobExecution execution = step.getJobExecution();
		return this.running.computeIfAbsent(execution.getId(), (id) -> JobPace.of(execution, settings(execution)));
	}

	private PaceSettings settings(JobExecution execution) {
		return PaceSettings.from(execution.getJobInstance().getJobName(), execution.getJobParameters(), this.defaults);
	}

	/**
	 * The pace of the job {@code step} belongs to, as a progress line shows it; empty
	 * when nothing limits it.
	 */
	public Supplier<String> status(StepExecution step) {
		long id = step.getJobExecution().getId();
		return () -> {
			JobPace pace = this.running.get(id);
			return (pace != null) ? pace.status() : "";
		};
	}

	/** Listens to {@code jobs}, to drop the pace of each execution that ends. */
	public void listenTo(Iterable<Job> jobs) {
		for (Job job : jobs) {
			if (job instanceof AbstractJob listenable) {
				listenable.registerJobExecutionListener(this);
			}
			else {
				logger.debug("Job " + job.getName() + " takes no listener: its pace is kept until the worker stops");
			}
		}
	}

	/**
	 * Drops the pace of an execution that ended, its figures saved, and adds them to the
	 * metrics: {@code workflowkeeper.pace.throttled} (seconds, by job) and the gauges
	 * {@code workflowkeeper.pace.probe.latency} (seconds, by job and quantile 0.5 and
	 * 0.99, of the latest execution that probed).
	 */
	/**
	 * A job with its limits off may use every core while it runs; any other keeps off the
	 * spare ones ({@link CoreShare}), as the configuration sets them.
	 */
	@Override
	public void beforeJob(JobExecution execution) {
		CoreShare.configure(this.defaults.spareCores());
		if (unlimited(execution)) {
			CoreShare.widen();
		}
	}

	private boolean unlimited(JobExecution execution) {
		try {
			return !settings(execution).limited();
		}
		catch (RuntimeException ex) {
			// a job whose parameters the pace cannot read keeps to its cores
			return false;
		}
	}

	@Override
	public void afterJob(JobExecution execution) {
		if (unlimited(execution)) {
			CoreShare.unwiden();
		}
		JobPace pace = this.running.remove(execution.getId());
		if (pace == null) {
			return;
		}
		pace.save();
		MeterRegistry meters = this.registry.getIfAvailable();
		if (meters == null || !pace.settings().limited()) {
			return;
		}
		String job = execution.getJobInstance().getJobName();
		Counter.builder("workflowkeeper.pace.throttled")
			.description("Time the jobs' Redis work waited for their pace limits")
			.baseUnit("seconds")
			.tag("job", job)
			.register(meters)
			.increment(pace.throttledMillis() / 1000.0);
		ExecutionContext figures = execution.getExecutionContext();
		if (figures.containsKey(JobPace.PROBE_P99_MICROS)) {
			probeGauge(meters, job, "0.5").set(figures.getLong(JobPace.PROBE_P50_MICROS));
			probeGauge(meters, job, "0.99").set(figures.getLong(JobPace.PROBE_P99_MICROS));
		}
	}

	private AtomicLong probeGauge(MeterRegistry meters, String job, String quantile) {
		return this.latestProbe.computeIfAbsent(job + "/" + quantile, (key) -> {
			AtomicLong micros = new AtomicLong();
			Gauge.builder("workflowkeeper.pace.probe.latency", micros, (value) -> value.get() / 1e6)
				.description("The server's response time the latest paced run of a job measured on its probe")
				.baseUnit("seconds")
				.tags("job", job, "quantile", quantile)
				.register(meters);
			return micros;
		});
	}

}
