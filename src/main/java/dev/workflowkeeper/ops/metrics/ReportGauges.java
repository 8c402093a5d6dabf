package dev.workflowkeeper.ops.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import dev.workflowkeeper.report.ReportRepository;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.DisposableBean;

/**
 * Gauges of the latest memory report of every store in the history database
 * ({@code KEEPER_MEMORY_REPORT}), one series per store, tagged {@code store} (its masked
 * address): {@code workflowkeeper.report.keys}, {@code .memory} (bytes),
 * {@code .keys.without.ttl}, {@code .stale.keys} (only for a report that read the
 * values), {@code .status.keys} and {@code .status.bytes} by {@code store} and
 * {@code status}, and {@code .timestamp} (seconds since the epoch of when it was made). A
 * report of one store never moves another's series. A scrape never reads the database:
 * the figures are read once at start, after every report this worker runs, and every
 * {@link #REFRESH} (reports made by another process sharing the history). Before a
 * store's first report it has no series; a figure the report does not know (stale keys
 * and statuses of a report made without the values) has none either.
 */
class ReportGauges implements DisposableBean {

	/** How often the latest reports are read again. */
	static final Duration REFRESH = Duration.ofMinutes(1);

	/** The tag that names the store of a series. */
	static final String STORE = "store";

	private static final Log logger = LogFactory.getLog(ReportGauges.class);

	private final ReportRepository reports;

	private final MultiGauge keys;

	private final MultiGauge memory;

	private final MultiGauge keysWithoutTtl;

	private final MultiGauge staleKeys;

	private final MultiGauge timestamp;

	private final MultiGauge statusKeys;

	private final MultiGauge statusBytes;

	private final ScheduledExecutorService refresher;

	/** The figures of each store's latest report, by store. */
	private volatile Map<String, Figures> figures = Map.of();

	ReportGauges(MeterRegistry registry, ReportRepository reports) {
		this.reports = reports;
		this.keys = MultiGauge.builder("workflowkeeper.report.keys")
			.description("Workflow states in the latest memory report of the store")
			.register(registry);
		this.memory = MultiGauge.builder("workflowkeeper.report.memory")
			.description("Memory (MEMORY USAGE) of the workflow states in the latest memory report of the store")
			.baseUnit("bytes")
			.register(registry);
		this.keysWithoutTtl = MultiGauge.builder("workflowkeeper.report.keys.without.ttl")
			.description("Workflow states without a TTL in the latest memory report of the store")
			.register(registry);
		this.staleKeys = MultiGauge.builder("workflowkeeper.report.stale.keys")
			.description("Stale workflow states in the latest memory report of the store that read the values")
			.register(registry);
		this.timestamp = MultiGauge.builder("workflowkeeper.report.timestamp")
			.description("When the latest memory report of the store was made, in seconds since the epoch")
			.baseUnit("seconds")
			.register(registry);
		this.statusKeys = MultiGauge.builder("workflowkeeper.report.status.keys")
			.description("Workflow states by status in the latest memory report of the store")
			.register(registry);
		this.statusBytes = MultiGauge.builder("workflowkeeper.report.status.bytes")
			.description("Memory of the workflow states by status in the latest memory report of the store")
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
	 * Reads the latest report of every store again; stores and statuses that appeared get
	 * their series, those gone lose them.
	 */
	synchronized void refresh() {
		Map<String, Figures> latest = new TreeMap<>();
		this.reports.latestOfEachStore().forEach((store, report) -> latest.put(store, Figures.of(report)));
		List<MultiGauge.Row<?>> keys = new ArrayList<>();
		List<MultiGauge.Row<?>> memory = new ArrayList<>();
		List<MultiGauge.Row<?>> withoutTtl = new ArrayList<>();
		List<MultiGauge.Row<?>> stale = new ArrayList<>();
		List<MultiGauge.Row<?>> timestamp = new ArrayList<>();
		List<MultiGauge.Row<?>> statusKeys = new ArrayList<>();
		List<MultiGauge.Row<?>> statusBytes = new ArrayList<>();
		latest.forEach((store, report) -> {
			// the gauges hold this (a weak reference, as every gauge) and read the
			// current figures
			Tags tags = Tags.of(STORE, store);
			keys.add(row(tags, store, Figures::keys));
			memory.add(row(tags, store, Figures::memoryBytes));
			withoutTtl.add(row(tags, store, Figures::keysWithoutTtl));
			if (report.staleKeys() != null) {
				stale.add(row(tags, store, Figures::staleKeys));
			}
			timestamp.add(row(tags, store, Figures::createdAtSeconds));
			for (String status : report.byStatus().keySet()) {
				Tags statusTags = tags.and("status", status);
				statusKeys.add(MultiGauge.Row.of(statusTags, this, (gauges) -> gauges.status(store, status, "keys")));
				statusBytes.add(MultiGauge.Row.of(statusTags, this, (gauges) -> gauges.status(store, status, "bytes")));
			}
		});
		this.figures = Map.copyOf(latest);
		this.keys.register(keys);
		this.memory.register(memory);
		this.keysWithoutTtl.register(withoutTtl);
		this.staleKeys.register(stale);
		this.timestamp.register(timestamp);
		this.statusKeys.register(statusKeys);
		this.statusBytes.register(statusBytes);
	}

	private MultiGauge.Row<?> row(Tags tags, String store, Function<Figures, Number> figure) {
		return MultiGauge.Row.of(tags, this, (gauges) -> {
			Figures current = gauges.figures.get(store);
			Number value = (current != null) ? figure.apply(current) : null;
			return (value != null) ? value.doubleValue() : Double.NaN;
		});
	}

	/**
	 * One figure ({@code keys} or {@code bytes}) of a status in a store's current report;
	 * NaN when it has none.
	 */
	private double status(String store, String status, String figure) {
		Figures current = this.figures.get(store);
		Map<String, Object> bucket = (current != null) ? current.byStatus().get(status) : null;
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
	 * @param staleKeys stale keys, {@code null} when the report did not read the values
	 * @param createdAtSeconds when it was made, in seconds since the epoch
	 * @param byStatus status → {@code {keys, bytes}}, empty without the values
	 */
	record Figures(double keys, double memoryBytes, double keysWithoutTtl, @Nullable Double staleKeys,
			double createdAtSeconds, Map<String, Map<String, Object>> byStatus) {

		@SuppressWarnings("unchecked")
		static Figures of(Map<String, Object> report) {
			Map<String, Map<String, Object>> byStatus = (report.get("byStatus") instanceof Map<?, ?> map)
					? (Map<String, Map<String, Object>>) map : Map.of();
			double createdAt = (report.get("createdAt") instanceof String text)
					? Instant.parse(text).toEpochMilli() / 1000.0 : Double.NaN;
			Double stale = (report.get("staleKeys") instanceof Number number) ? number.doubleValue() : null;
			return new Figures(number(report.get("keys")), number(report.get("memoryBytes")),
					number(report.get("keysWithoutTtl")), stale, createdAt, byStatus);
		}

	}

}
