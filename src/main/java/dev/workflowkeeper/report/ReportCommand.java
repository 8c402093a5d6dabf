package dev.workflowkeeper.report;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.workflowkeeper.cli.Boot;
import dev.workflowkeeper.cli.HumanUnits;
import dev.workflowkeeper.cli.JobCommand;
import dev.workflowkeeper.cli.JobCommands;
import dev.workflowkeeper.cli.KeeperCommandLine;
import dev.workflowkeeper.cli.PaceOptions;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/** {@code report}: the memory report of a store. */
@Command(name = "report", mixinStandardHelpOptions = true, sortOptions = false, description = {
		"Report what the workflow states of a store cost; change nothing.",
		"The report gives the keys and their memory, size percentiles and the largest keys, TTLs, the statuses and ages read from the values, stale and unparseable states, the server's view, a steady-state forecast, and the trend since the previous report." },
		footer = { "", "Examples:", "  report --store redis://localhost:6379/0",
				"  report --no-values --format json | jq .memoryBytes", "  report --sample 10%" })
class ReportCommand implements Callable<Integer>, JobCommand {

	/** Output formats. */
	enum Format {

		table, json

	}

	/** What a figure reads that only the values give, in a report without them. */
	static final String UNKNOWN = "unknown (values not read: --no-values)";

	private final Boot boot;

	@Option(names = "--store", paramLabel = "URI",
			description = "The store. Default: REDIS_URL when USE_REDIS is true, otherwise the in-memory store (memory:).")
	String store;

	@Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT",
			description = "Output format: table, or json (one object on stdout). Default: ${DEFAULT-VALUE}.")
	Format format;

	@Option(names = "--no-values", negatable = false,
			description = "Report from MEMORY USAGE and TTL alone, without reading the values: the cheapest pass, without statuses, ages or stale states.")
	boolean noValues;

	@Option(names = "--sample", paramLabel = "FRACTION|KEYS",
			description = "Estimate from part of the keyspace: a share (0.1, 10%) or a number of keys (100000), "
					+ "with a 95% interval. Default: the whole keyspace, exact.")
	String sample;

	@Mixin
	PaceOptions pace = new PaceOptions();

	ReportCommand(Boot boot) {
		this.boot = boot;
	}

	@Override
	public String jobName() {
		return ReportJob.NAME;
	}

	@Override
	public Integer call() throws Exception {
		try (ConfigurableApplicationContext context = this.boot.oneOff()) {
			Map<String, Object> options = new LinkedHashMap<>();
			options.put("store", this.store);
			options.put("values", !this.noValues);
			options.put("sample", this.sample);
			this.pace.putInto(options);
			JobExecution execution = JobCommands.runOnStore(context, ReportJob.NAME, options);
			if (execution.getStatus() != BatchStatus.COMPLETED) {
				return JobCommands.failed(this.boot, context, execution);
			}
			Map<String, Object> report = ReportJob.report(execution);
			PrintWriter out = this.boot.out();
			if (this.format == Format.json) {
				out.println(JsonMapper.builder().build().writeValueAsString(report));
			}
			else {
				printTable(out, report, !Boolean.FALSE.equals(report.get("values")));
			}
			out.flush();
			return KeeperCommandLine.OK;
		}
	}

	@SuppressWarnings("unchecked")
	static void printTable(PrintWriter out, Map<String, Object> r, boolean values) {
		out.printf("Memory report of %s at %s%n", r.get("store"), r.get("createdAt"));
		Map<String, Object> sample = (Map<String, Object>) r.get("sample");
		Map<String, Object> intervals = (Map<String, Object>) r.get("intervals");
		if (sample != null && intervals != null) {
			out.printf("estimate from a sample of %s keys (%s of the keyspace); ± is a 95%% interval%n",
					HumanUnits.count(n(sample, "keysRead")),
					ReportSample.percent(((Number) sample.get("share")).doubleValue()));
			out.println("size percentiles and largest keys are those of the sample");
		}
		else if (sample != null) {
			out.println("exact: this store is read whole, whatever the sample asked");
		}
		out.println();
		row(out, "keys", count(r, intervals, "keys"));
		row(out, "memory",
				bytes(r, intervals, "memoryBytes") + (Boolean.TRUE.equals(r.get(ReportSaver.MEMORY_ESTIMATED))
						? " (estimated: no MEMORY USAGE, see README)" : ""));
		Map<String, Object> p = (Map<String, Object>) r.get("sizePercentiles");
		row(out, "key size p50/p90/p99/max", HumanUnits.bytes(n(p, "p50")) + " / " + HumanUnits.bytes(n(p, "p90"))
				+ " / " + HumanUnits.bytes(n(p, "p99")) + " / " + HumanUnits.bytes(n(p, "max")));
		row(out, "keys without TTL", count(r, intervals, "keysWithoutTtl"));
		row(out, "keys above the max TTL", count(r, intervals, "keysAboveMaxTtl"));
		row(out, "stale states",
				values ? count(r, intervals, "staleKeys") + " (" + bytes(r, intervals, "staleBytes") + ")" : UNKNOWN);
		row(out, "unparseable", values ? count(r, intervals, "unparseable") : UNKNOWN);
		buckets(out, "TTL", "ttlBuckets", r, intervals);
		if (values) {
			buckets(out, "status", "byStatus", r, intervals);
			buckets(out, "age (updated_at)", "ageBuckets", r, intervals);
		}
		out.println();
		out.println("largest keys");
		for (Map<String, Object> key : (List<Map<String, Object>>) r.get("topKeys")) {
			out.printf("  %12s  %s%n", HumanUnits.bytes(n(key, "bytes")), key.get("key"));
		}
		Map<String, Object> server = (Map<String, Object>) r.get("server");
		if (server != null) {
			out.println();
			out.println("server");
			if (server.get("usedMemory") == null) {
				// INFO, or its memory section, refused by a managed service or an ACL
				row(out, "server view", "unavailable (no INFO)");
			}
			else {
				row(out, "used memory", HumanUnits.bytes(n(server, "usedMemory")));
				row(out, "maxmemory / policy",
						((n(server, "maxmemory") > 0) ? HumanUnits.bytes(n(server, "maxmemory")) : "none") + " / "
								+ server.get("maxmemoryPolicy"));
				row(out, "fragmentation", String.valueOf(server.get("fragmentationRatio")));
				row(out, "expired / evicted keys", HumanUnits.count(n(server, "expiredKeys")) + " / "
						+ HumanUnits.count(n(server, "evictedKeys")));
			}
			if (server.get("masters") instanceof List<?> masters) {
				row(out, "cluster", masters.size() + " masters" + (Boolean.TRUE.equals(server.get("topologyChanged"))
						? ", changed during the run (a failover or a resharding)" : ""));
			}
		}
		Map<String, Object> forecast = (Map<String, Object>) r.get("forecast");
		if (values && forecast != null) {
			out.println();
			out.println("forecast (write rate × TTL × mean size)");
			row(out, "writes per second", String.valueOf(forecast.get("writesPerSecond")));
			row(out, "steady state",
					HumanUnits.count(n(forecast, "steadyKeys")) + " keys, "
							+ HumanUnits.bytes(n(forecast, "steadyBytes"))
							+ ((forecast.get("shareOfMaxmemory") != null) ? String.format(" (%.0f%% of maxmemory)",
									((Number) forecast.get("shareOfMaxmemory")).doubleValue() * 100) : ""));
		}
		Map<String, Object> trend = (Map<String, Object>) r.get("trend");
		if (trend != null) {
			out.println();
			out.println("trend");
			boolean estimate = Boolean.TRUE.equals(trend.get("estimate"));
			trendRow(out, "since the previous report", (Map<String, Object>) trend.get("sincePrevious"), estimate);
			trendRow(out, "since a day before", (Map<String, Object>) trend.get("sinceDayBefore"), estimate);
		}
	}

	private static void trendRow(PrintWriter out, String label, Map<String, Object> delta, boolean estimate) {
		row(out, label,
				(delta == null) ? "no report yet"
						: HumanUnits.signed(n(delta, "keys"), false) + " keys, "
								+ HumanUnits.signed(n(delta, "bytes"), true) + " (from " + delta.get("at") + ")"
								+ (estimate ? ", estimated" : ""));
	}

	/** {@code 1,002,300}, or {@code 1,002,300 ± 2,100} for an estimate. */
	private static String count(Map<String, Object> map, Map<String, Object> intervals, String figure) {
		return HumanUnits.count(n(map, figure.substring(figure.lastIndexOf('/') + 1)))
				+ interval(intervals, figure, false);
	}

	/** {@code 3.8 MiB}, or {@code 3.8 MiB ± 120 KiB} for an estimate. */
	private static String bytes(Map<String, Object> map, Map<String, Object> intervals, String figure) {
		return HumanUnits.bytes(n(map, figure.substring(figure.lastIndexOf('/') + 1)))
				+ interval(intervals, figure, true);
	}

	private static String interval(Map<String, Object> intervals, String figure, boolean bytes) {
		if (intervals == null) {
			return "";
		}
		Object halfWidth = intervals.get(figure);
		if (!(halfWidth instanceof Number number)) {
			return " ± unknown";
		}
		return " ± " + (bytes ? HumanUnits.bytes(number.longValue()) : HumanUnits.count(number.longValue()));
	}

	@SuppressWarnings("unchecked")
	private static void buckets(PrintWriter out, String title, String group, Map<String, Object> r,
			Map<String, Object> intervals) {
		Map<String, Object> buckets = (Map<String, Object>) r.get(group);
		long total = n(r, "memoryBytes");
		int width = (intervals != null) ? 22 : 12;
		out.println();
		out.printf("%-24s %" + width + "s %" + width + "s %7s%n", "by " + title, "keys", "memory", "share");
		for (Map.Entry<String, Object> bucket : buckets.entrySet()) {
			Map<String, Object> b = (Map<String, Object>) bucket.getValue();
			String figure = group + "/" + bucket.getKey() + "/";
			out.printf("  %-22s %" + width + "s %" + width + "s %6.1f%%%n", bucket.getKey(),
					count(b, intervals, figure + "keys"), bytes(b, intervals, figure + "bytes"),
					(total > 0) ? n(b, "bytes") * 100.0 / total : 0.0);
		}
	}

	private static void row(PrintWriter out, String label, String value) {
		out.printf("  %-26s %s%n", label, value);
	}

	private static long n(Map<String, Object> map, String key) {
		Object value = (map != null) ? map.get(key) : null;
		return (value instanceof Number number) ? number.longValue() : 0;
	}

}
