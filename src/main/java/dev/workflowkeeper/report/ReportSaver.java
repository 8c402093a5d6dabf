package dev.workflowkeeper.report;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import dev.workflowkeeper.maintenance.MaintenanceStores;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.WorkflowStore;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import tools.jackson.databind.json.JsonMapper;

/**
 * Finishes a memory report once its scan completed: adds the server's view, the forecast
 * and the trend, stores it in the history database and puts its JSON and main figures
 * into the job's ExecutionContext ({@code report.*}; the stale and unparseable figures
 * only when the values were read).
 * <p>
 * A sampled report is saved as what it is, an estimate: its JSON has its {@code sample}
 * and {@code intervals}, its trend is marked {@code estimate}, its figures in the history
 * and the job's ExecutionContext are the estimates of the whole keyspace, and
 * {@link #SAMPLE_SHARE} says which share of the keyspace they come from. The report
 * gauges are fed the estimate too: it is the best figure there is of the keyspace, and
 * the report it comes from says how good it is.
 */
class ReportSaver implements StepExecutionListener {

	/** Job ExecutionContext key of the report's JSON. */
	static final String REPORT_JSON = "reportJson";

	/** The report's figures in the job's ExecutionContext, declared once. */
	static final String KEYS = "report.keys";

	static final String MEMORY_BYTES = "report.memoryBytes";

	/**
	 * In the report's JSON, {@code true} when its bytes are estimates from the values'
	 * lengths, not {@code MEMORY USAGE} figures; absent when they are measured.
	 */
	static final String MEMORY_ESTIMATED = "memoryEstimated";

	static final String KEYS_WITHOUT_TTL = "report.keysWithoutTtl";

	static final String KEYS_ABOVE_MAX_TTL = "report.keysAboveMaxTtl";

	static final String STALE_KEYS = "report.staleKeys";

	static final String UNPARSEABLE = "report.unparseable";

	/**
	 * The share of the keyspace a sampled report's figures come from, as a text: a number
	 * in the context would be taken for a count.
	 */
	static final String SAMPLE_SHARE = "report.sampleShare";

	/** The keys a sampled report read. */
	static final String SAMPLE_KEYS_READ = "report.sampleKeysRead";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final MemoryReportAccumulator accumulator;

	private final WorkflowStore store;

	private final ReportRepository reports;

	private final Duration ttl;

	private final String visitedKey;

	/**
	 * @param readerName the name of the key reader, under which it keeps the share of the
	 * keyspace its scan visited ({@code visited})
	 */
	ReportSaver(MemoryReportAccumulator accumulator, WorkflowStore store, ReportRepository reports, Duration ttl,
			String readerName) {
		this.accumulator = accumulator;
		this.store = store;
		this.reports = reports;
		this.ttl = ttl;
		this.visitedKey = readerName + ".visited";
	}

	@Override
	public ExitStatus afterStep(StepExecution stepExecution) {
		if (stepExecution.getStatus() != BatchStatus.COMPLETED) {
			return null;
		}
		MaintainableStore maintenance = MaintenanceStores.maintenance(this.store);
		Map<String, Object> server = maintenance.serverInfo();
		ExecutionContext step = stepExecution.getExecutionContext();
		Double visited = step.containsKey(this.visitedKey) ? step.getDouble(this.visitedKey) : null;
		MemoryReport report = this.accumulator.report(server, visited);
		boolean estimate = report.intervals() != null;
		Map<String, Object> json = report.toMap(this.ttl);
		Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		if (maintenance.memoryEstimated()) {
			// the server would not tell (MEMORY USAGE renamed away or refused)
			json.put(MEMORY_ESTIMATED, true);
		}
		json.put("store", this.store.describe());
		json.put("createdAt", now.toString());
		Map<String, Object> trend = this.reports.trend(this.store.describe(), now, report.keys(), report.memoryBytes());
		if (estimate) {
			trend.put("estimate", true);
		}
		json.put("trend", trend);
		this.reports.save(now, stepExecution.getJobExecutionId(), this.store.describe(), report.keys(),
				report.memoryBytes(), json);
		ExecutionContext job = stepExecution.getJobExecution().getExecutionContext();
		job.putString(REPORT_JSON, JSON.writeValueAsString(json));
		job.putLong(KEYS, report.keys());
		job.putLong(MEMORY_BYTES, report.memoryBytes());
		job.putLong(KEYS_WITHOUT_TTL, report.keysWithoutTtl());
		job.putLong(KEYS_ABOVE_MAX_TTL, report.keysAboveMaxTtl());
		if (estimate) {
			job.putString(SAMPLE_SHARE, String.valueOf(report.sample().get("share")));
			job.putLong(SAMPLE_KEYS_READ, ((Number) report.sample().get("keysRead")).longValue());
		}
		if (report.values()) {
			// without the values these are unknown: no figure rather than a 0
			job.putLong(STALE_KEYS, report.staleKeys());
			job.putLong(UNPARSEABLE, report.unparseable());
		}
		return null;
	}

}
