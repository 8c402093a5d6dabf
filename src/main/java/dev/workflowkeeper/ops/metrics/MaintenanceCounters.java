package dev.workflowkeeper.ops.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.workflowkeeper.purge.PurgeJob;
import dev.workflowkeeper.report.ReportJob;
import dev.workflowkeeper.ttl.EnforceTtlJob;
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
 * Counts what the maintenance jobs changed, when one of their executions ends:
 * {@code workflowkeeper.ttl.fixed} ({@code kind=missing}: states given a TTL, {@code kind=capped}:
 * TTLs capped) from {@code enforceTtlJob}'s {@code ttl.fixedMissing} and {@code ttl.capped}, and
 * {@code workflowkeeper.states.purged} from {@code purgeStatesJob}'s {@code purge.deleted}. Dry runs
 * change nothing and count nothing. A restarted execution starts from the counts of the one it
 * resumes, so only what it added is counted. It also refreshes the report gauges when a
 * {@code reportMemoryJob} ends.
 * <p>
 * It registers itself on those jobs, so that their configurations need not know about metrics.
 */
class MaintenanceCounters implements JobExecutionListener {

	static final String TTL_FIXED = "workflowkeeper.ttl.fixed";

	static final String STATES_PURGED = "workflowkeeper.states.purged";

	private static final Log logger = LogFactory.getLog(MaintenanceCounters.class);

	/** The figures counted, by job: ExecutionContext key → counter. */
	private final Map<String, Map<String, Counter>> counted;

	private final ReportGauges reportGauges;

	/** The figures each running execution started from, by execution id. */
	private final Map<Long, Map<String, Long>> startedFrom = new ConcurrentHashMap<>();

	MaintenanceCounters(MeterRegistry registry, ReportGauges reportGauges) {
		this.reportGauges = reportGauges;
		Counter missing = Counter.builder(TTL_FIXED)
			.description("Workflow states whose TTL enforceTtlJob fixed: given one (missing) or capped")
			.tag("kind", "missing")
			.register(registry);
		Counter capped = Counter.builder(TTL_FIXED)
			.description("Workflow states whose TTL enforceTtlJob fixed: given one (missing) or capped")
			.tag("kind", "capped")
			.register(registry);
		Counter purged = Counter.builder(STATES_PURGED)
			.description("Workflow states purgeStatesJob deleted")
			.register(registry);
		this.counted = Map.of(EnforceTtlJob.NAME, Map.of("ttl.fixedMissing", missing, "ttl.capped", capped),
				PurgeJob.NAME, Map.of("purge.deleted", purged));
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
		if (counters == null || before == null || Boolean.parseBoolean(execution.getJobParameters().getString("dryRun"))) {
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
