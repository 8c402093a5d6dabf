package dev.workflowkeeper.ops.metrics;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.job.JobFigure;
import dev.workflowkeeper.report.ReportJob;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.core.job.AbstractJob;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.listener.JobExecutionListener;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Counts what the jobs changed, when one of their executions ends: every figure a job's
 * {@link JobDefinition} declares with a counter (e.g.
 * {@code workflowkeeper.ttl.fixed{kind}} from {@code enforceTtlJob}'s
 * {@code ttl.fixedMissing} and {@code ttl.capped}, {@code workflowkeeper.states.purged}
 * from {@code purgeStatesJob}'s {@code purge.deleted}) adds what the execution added to
 * it. Dry runs change nothing and count nothing. A restarted execution starts from the
 * counts of the one it resumes, so only what it added is counted. It also refreshes the
 * report gauges when a {@code reportMemoryJob} ends.
 * <p>
 * It registers itself on those jobs, so that their configurations need not know about
 * metrics.
 */
class MaintenanceCounters implements JobExecutionListener {

	private static final Log logger = LogFactory.getLog(MaintenanceCounters.class);

	/** The figures counted, by job: ExecutionContext key → counter. */
	private final Map<String, Map<String, Counter>> counted;

	private final ReportGauges reportGauges;

	private final JobDefinitions definitions;

	/** The figures each running execution started from, by execution id. */
	private final Map<Long, Map<String, Long>> startedFrom = new ConcurrentHashMap<>();

	MaintenanceCounters(MeterRegistry registry, ReportGauges reportGauges, JobDefinitions definitions) {
		this.reportGauges = reportGauges;
		Map<String, Map<String, Counter>> counted = new HashMap<>();
		for (JobDefinition definition : definitions.all()) {
			Map<String, Counter> counters = new HashMap<>();
			for (JobFigure figure : definition.figures()) {
				if (figure.counter() != null) {
					Counter.Builder builder = Counter.builder(figure.counter()).description(figure.description());
					figure.tags().forEach(builder::tag);
					counters.put(figure.key(), builder.register(registry));
				}
			}
			if (!counters.isEmpty()) {
				counted.put(definition.name(), Map.copyOf(counters));
			}
		}
		this.counted = Map.copyOf(counted);
		this.definitions = definitions;
	}

	/** Registers this listener on the jobs whose figures it counts. */
	void listenTo(Iterable<Job> jobs) {
		for (Job job : jobs) {
			if (!this.counted.containsKey(job.getName()) && !ReportJob.NAME.equals(job.getName())) {
				continue;
			}
			if (job instanceof AbstractJob listenable) {
				listenable.registerJobExecutionListener(this);
			}
			else {
				logger.warn("Job " + job.getName() + " takes no listener: its figures will not reach the metrics");
			}
		}
	}

	@Override
	public void beforeJob(JobExecution execution) {
		Map<String, Counter> counters = this.counted.get(execution.getJobInstance().getJobName());
		if (counters != null) {
			this.startedFrom.put(execution.getId(), figures(execution.getExecutionContext(), counters));
		}
	}

	@Override
	public void afterJob(JobExecution execution) {
		String job = execution.getJobInstance().getJobName();
		if (ReportJob.NAME.equals(job)) {
			refreshReportGauges();
			return;
		}
		Map<String, Counter> counters = this.counted.get(job);
		Map<String, Long> before = this.startedFrom.remove(execution.getId());
		if (counters == null || before == null || this.definitions.get(job).dryRun(execution.getJobParameters())) {
			return;
		}
		Map<String, Long> after = figures(execution.getExecutionContext(), counters);
		counters.forEach((figure, counter) -> {
			long added = after.get(figure) - before.get(figure);
			if (added > 0) {
				counter.increment(added);
			}
		});
	}

	private void refreshReportGauges() {
		try {
			this.reportGauges.refresh();
		}
		catch (RuntimeException ex) {
			logger.warn("Could not read the new memory report for the metrics: " + ex.getMessage());
		}
	}

	private static Map<String, Long> figures(ExecutionContext context, Map<String, Counter> counters) {
		Map<String, Long> figures = new ConcurrentHashMap<>();
		for (String figure : counters.keySet()) {
			figures.put(figure, context.getLong(figure, 0L));
		}
		return figures;
	}

}
