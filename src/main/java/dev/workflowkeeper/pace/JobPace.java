package dev.workflowkeeper.pace;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.HdrHistogram.Histogram;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * The pace of one job execution on every Redis it works: its limits, the time its work
 * waited on them and the response times its probes measured. Its figures go into the
 * execution's ExecutionContext ({@value #THROTTLED_MILLIS}, {@value #PROBE_P50_MICROS},
 * {@value #PROBE_P99_MICROS}, {@value #PROBES}) whenever one of its connections closes,
 * so that each step leaves them before the job's context is saved. Thread-safe.
 */
public final class JobPace implements PaceMeter {

	/** How long the execution's work waited for its pace limits, in milliseconds. */
	public static final String THROTTLED_MILLIS = "pace.throttledMillis";

	/** The median response time of the server the probe measured, in microseconds. */
	public static final String PROBE_P50_MICROS = "pace.probeP50Micros";

	/** The 99th percentile of the probe's response times, in microseconds. */
	public static final String PROBE_P99_MICROS = "pace.probeP99Micros";

	/** How many times the probe measured the server. */
	public static final String PROBES = "pace.probes";

	/** Response times above this are counted as this (a server that hangs). */
	private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(1);

	private final PaceSettings settings;

	private final ExecutionContext figures;

	private final LongAdder throttledNanos = new LongAdder();

	private final Histogram probes = new Histogram(MAX_MICROS, 3);

	private final Map<String, String> paces = new ConcurrentHashMap<>();

	/**
	 * @param figures the job execution's context, where the figures go
	 */
	JobPace(PaceSettings settings, ExecutionContext figures) {
		this.settings = settings;
		this.figures = figures;
	}

	/** The pace of an execution, its figures into the execution's context. */
	static JobPace of(JobExecution execution, PaceSettings settings) {
		return new JobPace(settings, execution.getExecutionContext());
	}

	@Override
	public PaceSettings settings() {
		return this.settings;
	}

	@Override
	public void throttled(long nanos) {
		if (nanos > 0) {
			this.throttledNanos.add(nanos);
		}
	}

	@Override
	public void probed(long latencyNanos) {
		long micros = Math.min(MAX_MICROS, Math.max(0, TimeUnit.NANOSECONDS.toMicros(latencyNanos)));
		synchronized (this.probes) {
			this.probes.recordValue(micros);
		}
	}

	@Override
	public void pace(String server, String pace) {
		this.paces.put(server, pace);
	}

	@Override
	public void closed() {
		save();
	}

	/** How long the work waited for the limits so far, in milliseconds. */
	public long throttledMillis() {
		return TimeUnit.NANOSECONDS.toMillis(this.throttledNanos.sum());
	}

	/**
	 * The pace now, for a progress line: {@code pace ≤ 10,000 keys/s, 250 keys a round
	 * trip; probe p99 0.31 ms; throttled 1.2s}; empty when nothing limits the job.
	 */
	public String status() {
		if (!this.settings.limited()) {
			return "";
		}
		StringBuilder status = new StringBuilder("pace");
		if (this.settings.maxRate() > 0) {
			status.append(String.format(Locale.ROOT, " ≤ %,d keys/s", this.settings.maxRate()));
		}
		this.paces.values()
			.stream()
			.sorted()
			.forEach((pace) -> status.append(status.length() > 4 ? "; " : " ").append(pace));
		synchronized (this.probes) {
			if (this.probes.getTotalCount() > 0) {
				status.append(String.format(Locale.ROOT, "; probe p50 %.2f ms p99 %.2f ms",
						this.probes.getValueAtPercentile(50) / 1000.0, this.probes.getValueAtPercentile(99) / 1000.0));
			}
		}
		status.append(String.format(Locale.ROOT, "; throttled %.1fs", this.throttledNanos.sum() / 1e9));
		return status.toString();
	}

	/**
	 * The pace figures of an execution in a few words for history
	 * ({@code throttled 4.2s, probe p50 0.12 ms, p99 0.31 ms}); empty when it was not
	 * paced.
	 */
	public static String outcome(ExecutionContext figures) {
		if (!figures.containsKey(THROTTLED_MILLIS)) {
			return "";
		}
		String throttled = String.format(Locale.ROOT, "throttled %.1fs", figures.getLong(THROTTLED_MILLIS) / 1000.0);
		if (!figures.containsKey(PROBE_P99_MICROS)) {
			return throttled;
		}
		return throttled + String.format(Locale.ROOT, ", probe p50 %.2f ms, p99 %.2f ms",
				figures.getLong(PROBE_P50_MICROS) / 1000.0, figures.getLong(PROBE_P99_MICROS) / 1000.0);
	}

	/** Puts the figures measured so far into the execution's context. */
	void save() {
		if (!this.settings.limited()) {
			return;
		}
		this.figures.putLong(THROTTLED_MILLIS, throttledMillis());
		synchronized (this.probes) {
			if (this.probes.getTotalCount() > 0) {
				this.figures.putLong(PROBES, this.probes.getTotalCount());
				this.figures.putLong(PROBE_P50_MICROS, this.probes.getValueAtPercentile(50));
				this.figures.putLong(PROBE_P99_MICROS, this.probes.getValueAtPercentile(99));
			}
		}
	}

}
