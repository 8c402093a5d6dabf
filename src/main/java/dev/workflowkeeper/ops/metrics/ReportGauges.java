package dev.workflowkeeper.ops.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.workflowkeeper.report.ReportRepository;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * Gauges of the latest memory report in the history database
 * ({@code KEEPER_MEMORY_REPORT}): {@code workflowkeeper.report.keys}, {@code .memory}
 * (bytes), {@code .keys.without.ttl}, {@code .status.keys} and {@code .status.bytes} by
 * {@code status}, and {@code .timestamp} (seconds since the epoch of when it was made). A
 * scrape never reads the database: the figures are read once at start, after every report
 * this worker runs, and every {@link #REFRESH} (reports made by another process sharing
 * the history). Before the first report the gauges read NaN and no status is listed.
 */
class ReportGauges implements DisposableBean {

	/** How often the latest report is read again. */
	static final Duration REFRESH = Duration.ofMinutes(1);

	private static final Log logger = LogFactory.getLog(ReportGauges.class);

	private final ReportRepository reports;

	private final MultiGauge statusKeys;

	private final MultiGauge statusBytes;

	private final ScheduledExecutorService refresher;

	private volatile Figures figures = Figures.NONE;

	ReportGauges(MeterRegistry registry, ReportRepository reports) {
		this.reports = reports;
		Gauge.builder("workflowkeeper.report.keys", this, (gauges) -> gauges.figures.keys())
			.description("Workflow states in the store of the latest memory report")
			.register(registry);
		Gauge.builder("workflowkeeper.report.memory", this, (gauges) -> gauges.figures.memoryBytes())
			.description("Memory (MEMORY USAGE) of the workflow states in the latest memory report")
			.baseUnit("bytes")
			.register(registry);
		Gauge.builder("workflowkeeper.report.keys.without.ttl", this, (gauges) -> gauges.figures.keysWithoutTtl())
			.description("Workflow states without a TTL in the latest memory report")
			.register(registry);
		Gauge.builder("workflowkeeper.report.timestamp", this, (gauges) -> gauges.figures.createdAtSeconds())
			.description("When the latest memory report was made, in seconds since the epoch")
			.baseUnit("seconds")
			.register(registry);
		this.statusKeys = MultiGauge.builder("workflowkeeper.report.status.keys")
			.description("Workflow states by status in the latest memory report")
			.register(registry);
		this.statusBytes = MultiGauge.builder("workflowkeeper.report.status.bytes")
			.description("Memory of the workflow states by status in the latest memory report")
			.baseUnit("bytes")
			.register(registry);
		this.refresher = Executors.newSingleThreadScheduledExecutor((task) -> {
			Thread thread = new Thread(task, "keeper-report-gauges");
			thread.setDaemon(true);
			return thread;
		});
		refresh();
		this.refresher.scheduleWithFixedDelay(this::refreshQuietly, REFRESH.toMillis(), REFRESH.toMillis(),
				TimeUnit.MILLISECONDS);
	}

	/**
	 * Reads the latest report again; statuses that appeared get their gauges, those gone
	 * lose them.
	 */
	synchronized void refresh() {
		Figures latest = this.reports.latest().map(Figures::of).orElse(Figures.NONE);
		List<MultiGauge.Row<?>> keys = new ArrayList<>();
		List<MultiGauge.Row<?>> bytes = new ArrayList<>();
		for (String status : latest.byStatus().keySet()) {
			// the gauges hold this (a weak reference, as every gauge) and read the
			// current figures
			keys.add(MultiGauge.Row.of(Tags.of("status", status), this, (gauges) -> gauges.status(status, "keys")));
			bytes.add(MultiGauge.Row.of(Tags.of("status", status), this, (gauges) -> gauges.status(status, "bytes")));
		}
		this.figures = latest;
		this.statusKeys.register(keys);
		this.statusBytes.register(bytes);
	}

	/**
	 * One figure ({@code keys} or {@code bytes}) of a status in the current report; NaN
	 * when it has none.
	 */
	private double status(String status, String figure) {
		Map<String, Object> bucket = this.figures.byStatus().get(status);
		return (bucket != null) ? number(bucket.get(figure)) : Double.NaN;
	}

	private void refreshQuietly() {
		try {
			refresh();
		}
		catch (RuntimeException ex) {
			// the history database may be away for a while: the gauges keep the last
			// figures
			logger.warn("Could not read the latest memory report for the metrics: " + ex.getMessage());
		}
	}

	@Override
	public void destroy() {
		this.refresher.shutdownNow();
	}

	private static double number(Object value) {
		return (value instanceof Number number) ? number.doubleValue() : Double.NaN;
	}

	/**
	 * The figures of one report.
	 *
	 * @param keys its key count
	 * @param memoryBytes its memory
	 * @param keysWithoutTtl keys without a TTL
	 * @param createdAtSeconds when it was made, in seconds since the epoch
	 * @param byStatus status → {@code {keys, bytes}}
	 */
	record Figures(double keys, double memoryBytes, double keysWithoutTtl, double createdAtSeconds,
			Map<String, Map<String, Object>> byStatus) {

		static final Figures NONE = new Figures(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Map.of());

		@SuppressWarnings("unchecked")
		static Figures of(Map<String, Object> report) {
			Map<String, Map<String, Object>> byStatus = (report.get("byStatus") instanceof Map<?, ?> map)
					? (Map<String, Map<String, Object>>) map : Map.of();
			double createdAt = (report.get("createdAt") instanceof String text)
					? Instant.parse(text).toEpochMilli() / 1000.0 : Double.NaN;
			return new Figures(number(report.get("keys")), number(report.get("memoryBytes")),
					number(report.get("keysWithoutTtl")), createdAt, byStatus);
		}

	}

}
