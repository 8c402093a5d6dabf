package dev.workflowkeeper.report;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one memory report: what {@code report --format json} prints and what the
 * history keeps. Bytes are {@code MEMORY USAGE} figures, or estimates from the values'
 * lengths on a Redis that does not run it for the user (the JSON's
 * {@code memoryEstimated}). A report made without the values ({@code --no-values}) cannot
 * know the statuses, ages, stale states, unparseable values or the write rate: its JSON
 * form gives them as {@code null} (unknown), never as 0.
 *
 * @param values whether the values were read
 * @param keys state keys under the prefix (of any type)
 * @param memoryBytes their memory
 * @param keysWithoutTtl keys that never expire
 * @param keysAboveMaxTtl keys whose TTL is longer than the service ever sets
 * @param ttlBuckets keys and bytes by remaining TTL
 * @param sizePercentiles p50, p90, p99 and max of the key sizes
 * @param topKeys the largest keys
 * @param byStatus keys and bytes by the states' {@code status}
 * @param ageBuckets keys and bytes by the time since {@code updated_at}
 * @param staleKeys states not updated for longer than the stale threshold
 * @param staleBytes their memory
 * @param unparseable values that are not JSON objects, or keys that are not strings
 * @param otherTypes keys under the prefix that are not strings
 * @param writtenLastHour states updated within the last hour (the service's write rate)
 * @param server the server's own view
 * @param sample what a sampled report read and how it estimated: {@code share} of the
 * keyspace visited, {@code keysRead}, {@code method}; {@code null} for a report of the
 * whole keyspace. The counts and bytes of a sample are estimates of the whole keyspace;
 * the size percentiles and the largest keys are those of the sample
 * @param intervals half the width of each estimate's 95% interval, by figure as
 * {@link MemoryReportAccumulator#figures} names them ({@code null}: not known, the sample
 * had fewer than two pages); {@code null} when the figures are exact
 */
record MemoryReport(boolean values, long keys, long memoryBytes, long keysWithoutTtl, long keysAboveMaxTtl,
		Map<String, Bucket> ttlBuckets, Map<String, Long> sizePercentiles, List<MemoryReportAccumulator.TopKey> topKeys,
		Map<String, Bucket> byStatus, Map<String, Bucket> ageBuckets, long staleKeys, long staleBytes, long unparseable,
		long otherTypes, long writtenLastHour, Map<String, Object> server, Map<String, Object> sample,
		Map<String, Long> intervals) {

	/** Figures that only the values give, by the start of their names. */
	private static final List<String> FROM_VALUES = List.of("byStatus/", "ageBuckets/", "staleKeys", "staleBytes",
			"unparseable", "writtenLastHour");

	/**
	 * Keys and bytes of one bucket.
	 *
	 * @param keys how many keys
	 * @param bytes their memory
	 */
	record Bucket(long keys, long bytes) {

		Map<String, Object> toMap() {
			Map<String, Object> map = new LinkedHashMap<>();
			map.put("keys", this.keys);
			map.put("bytes", this.bytes);
			return map;
		}

	}

	/**
	 * The memory the states will take once the service's writes and the TTL balance out:
	 * write rate (states updated in the last hour) × TTL × mean size, set against
	 * {@code maxmemory}.
	 */
	Map<String, Object> forecast(Duration ttl) {
		Map<String, Object> forecast = new LinkedHashMap<>();
		double ratePerSecond = this.writtenLastHour / 3600.0;
		long meanBytes = (this.keys > 0) ? this.memoryBytes / this.keys : 0;
		long steadyKeys = Math.round(ratePerSecond * ttl.toSeconds());
		long steadyBytes = steadyKeys * meanBytes;
		forecast.put("writesPerSecond", Math.round(ratePerSecond * 100) / 100.0);
		forecast.put("meanBytes", meanBytes);
		forecast.put("steadyKeys", steadyKeys);
		forecast.put("steadyBytes", steadyBytes);
		Object maxmemory = (this.server != null) ? this.server.get("maxmemory") : null;
		if (maxmemory instanceof Number max && max.longValue() > 0) {
			forecast.put("maxmemory", max.longValue());
			forecast.put("shareOfMaxmemory", Math.round(steadyBytes * 1000.0 / max.longValue()) / 1000.0);
		}
		return forecast;
	}

	/** The JSON form; the figures the values give are {@code null} without them. */
	Map<String, Object> toMap(Duration ttl) {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("values", this.values);
		map.put("keys", this.keys);
		map.put("memoryBytes", this.memoryBytes);
		map.put("keysWithoutTtl", this.keysWithoutTtl);
		map.put("keysAboveMaxTtl", this.keysAboveMaxTtl);
		map.put("ttlBuckets", buckets(this.ttlBuckets));
		map.put("sizePercentiles", this.sizePercentiles);
		map.put("topKeys", this.topKeys.stream().map(MemoryReport::topKey).toList());
		map.put("byStatus", this.values ? buckets(this.byStatus) : null);
		map.put("ageBuckets", this.values ? buckets(this.ageBuckets) : null);
		map.put("staleKeys", this.values ? this.staleKeys : null);
		map.put("staleBytes", this.values ? this.staleBytes : null);
		map.put("unparseable", this.values ? this.unparseable : null);
		map.put("otherTypes", this.otherTypes);
		map.put("server", this.server);
		map.put("forecast", this.values ? forecast(ttl) : null);
		if (this.sample != null) {
			map.put("sample", this.sample);
		}
		if (this.intervals != null) {
			Map<String, Long> intervals = new LinkedHashMap<>();
			this.intervals.forEach((figure, halfWidth) -> {
				if (this.values || FROM_VALUES.stream().noneMatch(figure::startsWith)) {
					intervals.put(figure, halfWidth);
				}
			});
			map.put("intervals", intervals);
		}
		return map;
	}

	private static Map<String, Object> buckets(Map<String, Bucket> buckets) {
		Map<String, Object> map = new LinkedHashMap<>();
		buckets.forEach((name, bucket) -> map.put(name, bucket.toMap()));
		return map;
	}

	/** One of the largest keys, its fields in a stable order. */
	private static Map<String, Object> topKey(MemoryReportAccumulator.TopKey key) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("key", key.key());
		view.put("bytes", key.bytes());
		return view;
	}

}
