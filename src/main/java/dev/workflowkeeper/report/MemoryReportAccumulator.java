package dev.workflowkeeper.report;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.DataFormatException;

import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.ScanPage;
import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.WorkflowEntry;
import org.HdrHistogram.Histogram;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;
import org.springframework.batch.infrastructure.item.ItemStreamWriter;

import tools.jackson.databind.json.JsonMapper;

/**
 * Adds up one pass over the keyspace into the figures of a memory report: counts and
 * bytes by TTL bucket, status and age, size percentiles (an HdrHistogram, not a sorted
 * list), the largest keys. Memory does not grow with the key count. Its state is kept in
 * the ExecutionContext after every chunk, so a restarted scan continues the same sums.
 * <p>
 * Keys of a sampled scan come tagged with their page ({@link KeyInfo#page}): the figures
 * of each page (the sums' growth over it) go to a {@link SampleEstimator}, and the
 * report's figures are its estimates of the whole keyspace, with their 95% intervals; the
 * size percentiles and the largest keys are those of the sample. A page is counted from
 * the end of the one before it, so the empty pages between them (keys of other prefixes)
 * count as visited.
 * <p>
 * Not thread-safe.
 */
class MemoryReportAccumulator extends ItemStreamSupport implements ItemStreamWriter<KeyInfo> {

	static final String[] TTL_BUCKETS = { "none", "<1h", "1-6h", "6-24h", ">24h" };

	static final String[] AGE_BUCKETS = { "<1h", "1-6h", "6-24h", "1-2d", ">2d", "unknown" };

	private static final int MAX_STATUSES = 50;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ReportSettings settings;

	private final long now;

	private final boolean values;

	private final ReportSample sample;

	private State state = new State();

	private Histogram sizes = newHistogram();

	private PriorityQueue<TopKey> top = new PriorityQueue<>(Comparator.comparingLong(TopKey::bytes));

	/**
	 * @param values whether the keys come with their values: without them the status, age
	 * and stale figures are unknown, not zero
	 */
	MemoryReportAccumulator(ReportSettings settings, long nowMillis, boolean values) {
		this(settings, nowMillis, values, null);
	}

	/**
	 * @param sample the sample the report was asked for; {@code null} for the whole
	 * keyspace
	 */
	MemoryReportAccumulator(ReportSettings settings, long nowMillis, boolean values, ReportSample sample) {
		this.settings = settings;
		this.now = nowMillis;
		this.values = values;
		this.sample = sample;
		setName("report");
	}

	@Override
	public void write(Chunk<? extends KeyInfo> chunk) {
		for (KeyInfo key : chunk) {
			add(key);
		}
	}

	void add(KeyInfo key) {
		State s = this.state;
		if (key.page() != null) {
			page(s, key.page());
		}
		s.keys++;
		s.bytes += key.memoryBytes();
		this.sizes.recordValue(Math.max(1, Math.min(key.memoryBytes(), this.sizes.getHighestTrackableValue())));
		this.top.add(new TopKey(key.key(), key.memoryBytes()));
		if (this.top.size() > this.settings.topKeys()) {
			this.top.poll();
		}
		String ttlBucket;
		if (key.expireAtMillis() == WorkflowEntry.NO_EXPIRY) {
			s.keysWithoutTtl++;
			ttlBucket = "none";
		}
		else {
			long ttl = key.expireAtMillis() - this.now;
			if (ttl > this.settings.maxTtl().toMillis()) {
				s.keysAboveMaxTtl++;
			}
			ttlBucket = (ttl < hours(1)) ? "<1h" : (ttl < hours(6)) ? "1-6h" : (ttl < hours(24)) ? "6-24h" : ">24h";
		}
		bump(s.ttlBuckets, ttlBucket, key.memoryBytes());
		if (key.type() != null && !"string".equals(key.type())) {
			s.unparseable++;
			s.otherTypes++;
			bump(s.byStatus, "(not a string)", key.memoryBytes());
			return;
		}
		if (key.value() == null) {
			return;
		}
		StateFields fields = key.fields();
		if (fields == null) {
			s.unparseable++;
			bump(s.byStatus, "(unparseable)", key.memoryBytes());
			return;
		}
		String status = (fields.status() != null) ? fields.status() : "(none)";
		if (!s.byStatus.containsKey(status) && s.byStatus.size() >= MAX_STATUSES) {
			status = "(other)";
		}
		bump(s.byStatus, status, key.memoryBytes());
		if (!fields.hasUpdatedAt()) {
			bump(s.ageBuckets, "unknown", key.memoryBytes());
			return;
		}
		long age = this.now - fields.updatedAtMillis();
		String ageBucket = (age < hours(1)) ? "<1h"
				: (age < hours(6)) ? "1-6h" : (age < hours(24)) ? "6-24h" : (age < hours(48)) ? "1-2d" : ">2d";
		bump(s.ageBuckets, ageBucket, key.memoryBytes());
		if (age > this.settings.staleAfter().toMillis()) {
			s.staleKeys++;
			s.staleBytes += key.memoryBytes();
		}
		if (age < hours(1)) {
			s.writtenLastHour++;
		}
	}

	/** Moves on to the page of the next key, closing the one before when it ended. */
	private static void page(State s, ScanPage page) {
		if (s.sample == null) {
			s.sample = new SampleEstimator.Sums();
			s.atPageStart = figures(s);
		}
		else if (page.start() != s.pageStart) {
			closePage(s, s.sample);
			s.atPageStart = figures(s);
		}
		s.pageStart = page.start();
		// a page rescanned after a restart may end earlier: its end is the latest known
		s.pageEnd = page.end();
	}

	/** Adds the page in progress to {@code sums}, from where the pages before ended. */
	private static void closePage(State s, SampleEstimator.Sums sums) {
		Map<String, Long> now = figures(s);
		Map<String, Long> growth = new LinkedHashMap<>();
		now.forEach((name, value) -> growth.put(name, value - s.atPageStart.getOrDefault(name, 0L)));
		sums.add(Math.max(0, s.pageEnd - s.pagesEnd), growth);
		s.pagesEnd = Math.max(s.pagesEnd, s.pageEnd);
	}

	/** The figures so far, exact: of every key read. */
	MemoryReport report(Map<String, Object> server) {
		return report(server, null);
	}

	/**
	 * The figures so far. For a sample they are estimates from the pages read, up to
	 * {@code visited}, the share of the keyspace the scan visited ({@code null} when the
	 * store read every key however it was asked: then they are exact).
	 */
	MemoryReport report(Map<String, Object> server, Double visited) {
		if (this.sample == null) {
			return report(this.state, server, null, null);
		}
		Map<String, Object> sample = new LinkedHashMap<>();
		sample.put("requested", this.sample.canonical());
		sample.put("keysRead", this.state.keys);
		if (visited == null) {
			sample.put("estimate", false);
			sample.put("share", 1.0);
			sample.put("method", "the store reads every key: the figures are exact");
			return report(this.state, server, sample, null);
		}
		SampleEstimator.Sums sums = (this.state.sample != null) ? this.state.sample.copy() : new SampleEstimator.Sums();
		State s = this.state;
		double end = 0;
		if (s.sample != null) {
			closePage(copyOf(s), sums);
			end = Math.max(s.pagesEnd, s.pageEnd);
		}
		if (visited > end) {
			// the pages after the last key's, empty of keys under the prefix
			sums.add(visited - end, Map.of());
		}
		sample.put("estimate", true);
		sample.put("share", visited);
		sample.put("pages", sums.pages);
		sample.put("method", "SCAN cursor: share of the hash table visited; ratio estimate over the pages, "
				+ "95% interval from their variation");
		sample.put("ofTheSample", List.of("sizePercentiles", "topKeys"));
		Map<String, Long> estimates = new LinkedHashMap<>();
		Map<String, Long> intervals = new LinkedHashMap<>();
		Set<String> names = new LinkedHashSet<>(figures(s).keySet());
		for (String bucket : TTL_BUCKETS) {
			names.add("ttlBuckets/" + bucket + "/keys");
			names.add("ttlBuckets/" + bucket + "/bytes");
		}
		for (String bucket : AGE_BUCKETS) {
			names.add("ageBuckets/" + bucket + "/keys");
			names.add("ageBuckets/" + bucket + "/bytes");
		}
		for (String figure : names) {
			SampleEstimator.Estimate estimate = SampleEstimator.estimate(sums, figure);
			estimates.put(figure, estimate.rounded());
			intervals.put(figure, (estimate.halfWidth() != null) ? Math.round(estimate.halfWidth()) : null);
		}
		return report(stateOf(estimates), server, sample, intervals);
	}

	private MemoryReport report(State s, Map<String, Object> server, Map<String, Object> sample,
			Map<String, Long> intervals) {
		Map<String, Long> percentiles = new LinkedHashMap<>();
		boolean any = s.keys > 0;
		percentiles.put("p50", any ? this.sizes.getValueAtPercentile(50) : 0);
		percentiles.put("p90", any ? this.sizes.getValueAtPercentile(90) : 0);
		percentiles.put("p99", any ? this.sizes.getValueAtPercentile(99) : 0);
		percentiles.put("max", any ? this.sizes.getMaxValue() : 0);
		List<TopKey> largest = new ArrayList<>(this.top);
		largest.sort(Comparator.comparingLong(TopKey::bytes).reversed().thenComparing(TopKey::key));
		Map<String, MemoryReport.Bucket> ttl = buckets(TTL_BUCKETS, s.ttlBuckets);
		Map<String, MemoryReport.Bucket> ages = buckets(AGE_BUCKETS, s.ageBuckets);
		Map<String, MemoryReport.Bucket> statuses = new TreeMap<>();
		s.byStatus.forEach((status, kb) -> statuses.put(status, new MemoryReport.Bucket(kb[0], kb[1])));
		return new MemoryReport(this.values, s.keys, s.bytes, s.keysWithoutTtl, s.keysAboveMaxTtl, ttl, percentiles,
				largest, statuses, ages, s.staleKeys, s.staleBytes, s.unparseable, s.otherTypes, s.writtenLastHour,
				server, sample, intervals);
	}

	/**
	 * Every summed figure by name, as the report's JSON names it: {@code keys},
	 * {@code memoryBytes}, …, and {@code ttlBuckets/<1h/keys} for a bucket's.
	 */
	static Map<String, Long> figures(State s) {
		Map<String, Long> figures = new LinkedHashMap<>();
		figures.put("keys", s.keys);
		figures.put("memoryBytes", s.bytes);
		figures.put("keysWithoutTtl", s.keysWithoutTtl);
		figures.put("keysAboveMaxTtl", s.keysAboveMaxTtl);
		figures.put("staleKeys", s.staleKeys);
		figures.put("staleBytes", s.staleBytes);
		figures.put("unparseable", s.unparseable);
		figures.put("otherTypes", s.otherTypes);
		figures.put("writtenLastHour", s.writtenLastHour);
		bucketFigures(figures, "ttlBuckets", s.ttlBuckets);
		bucketFigures(figures, "byStatus", s.byStatus);
		bucketFigures(figures, "ageBuckets", s.ageBuckets);
		return figures;
	}

	private static void bucketFigures(Map<String, Long> figures, String group, Map<String, long[]> buckets) {
		buckets.forEach((name, kb) -> {
			figures.put(group + "/" + name + "/keys", kb[0]);
			figures.put(group + "/" + name + "/bytes", kb[1]);
		});
	}

	/** The state whose figures are {@code figures} ({@link #figures}). */
	private static State stateOf(Map<String, Long> figures) {
		State s = new State();
		s.keys = figures.getOrDefault("keys", 0L);
		s.bytes = figures.getOrDefault("memoryBytes", 0L);
		s.keysWithoutTtl = figures.getOrDefault("keysWithoutTtl", 0L);
		s.keysAboveMaxTtl = figures.getOrDefault("keysAboveMaxTtl", 0L);
		s.staleKeys = figures.getOrDefault("staleKeys", 0L);
		s.staleBytes = figures.getOrDefault("staleBytes", 0L);
		s.unparseable = figures.getOrDefault("unparseable", 0L);
		s.otherTypes = figures.getOrDefault("otherTypes", 0L);
		s.writtenLastHour = figures.getOrDefault("writtenLastHour", 0L);
		figures.forEach((name, value) -> {
			int first = name.indexOf('/');
			int last = name.lastIndexOf('/');
			if (first > 0 && last > first) {
				Map<String, long[]> group = switch (name.substring(0, first)) {
					case "ttlBuckets" -> s.ttlBuckets;
					case "byStatus" -> s.byStatus;
					default -> s.ageBuckets;
				};
				long[] kb = group.computeIfAbsent(name.substring(first + 1, last), (n) -> new long[2]);
				kb[name.endsWith("/keys") ? 0 : 1] = value;
			}
		});
		return s;
	}

	/** The fields {@link #closePage} moves, copied, so that a report leaves the state. */
	private static State copyOf(State s) {
		State copy = new State();
		copy.keys = s.keys;
		copy.bytes = s.bytes;
		copy.keysWithoutTtl = s.keysWithoutTtl;
		copy.keysAboveMaxTtl = s.keysAboveMaxTtl;
		copy.staleKeys = s.staleKeys;
		copy.staleBytes = s.staleBytes;
		copy.unparseable = s.unparseable;
		copy.otherTypes = s.otherTypes;
		copy.writtenLastHour = s.writtenLastHour;
		copy.ttlBuckets = s.ttlBuckets;
		copy.byStatus = s.byStatus;
		copy.ageBuckets = s.ageBuckets;
		copy.atPageStart = s.atPageStart;
		copy.pageStart = s.pageStart;
		copy.pageEnd = s.pageEnd;
		copy.pagesEnd = s.pagesEnd;
		return copy;
	}

	@Override
	public void open(ExecutionContext executionContext) {
		String saved = executionContext.getString(getExecutionContextKey("state"), null);
		if (saved != null) {
			this.state = JSON.readValue(saved, State.class);
			this.sizes = decode(this.state.histogram);
			this.top = new PriorityQueue<>(Comparator.comparingLong(TopKey::bytes));
			this.top.addAll(this.state.top);
		}
	}

	@Override
	public void update(ExecutionContext executionContext) {
		ByteBuffer buffer = ByteBuffer.allocate(this.sizes.getNeededByteBufferCapacity());
		int length = this.sizes.encodeIntoCompressedByteBuffer(buffer);
		this.state.histogram = Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buffer.array(), length));
		this.state.top = new ArrayList<>(this.top);
		executionContext.putString(getExecutionContextKey("state"), JSON.writeValueAsString(this.state));
	}

	private static Histogram decode(String base64) {
		if (base64 == null) {
			return newHistogram();
		}
		try {
			return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(base64)), 1);
		}
		catch (DataFormatException ex) {
			throw new IllegalStateException("the saved report state is damaged", ex);
		}
	}

	private static Histogram newHistogram() {
		return new Histogram(1, 1L << 34, 3);
	}

	private static Map<String, MemoryReport.Bucket> buckets(String[] names, Map<String, long[]> values) {
		Map<String, MemoryReport.Bucket> buckets = new LinkedHashMap<>();
		for (String name : names) {
			long[] kb = values.getOrDefault(name, new long[2]);
			buckets.put(name, new MemoryReport.Bucket(kb[0], kb[1]));
		}
		return buckets;
	}

	private static void bump(Map<String, long[]> map, String name, long bytes) {
		long[] kb = map.computeIfAbsent(name, (n) -> new long[2]);
		kb[0]++;
		kb[1] += bytes;
	}

	private static long hours(long hours) {
		return Duration.ofHours(hours).toMillis();
	}

	/** A key and its bytes, for the largest keys. */
	record TopKey(String key, long bytes) {
	}

	/** The sums, as saved in the ExecutionContext. */
	static class State {

		public long keys;

		public long bytes;

		public long keysWithoutTtl;

		public long keysAboveMaxTtl;

		public long staleKeys;

		public long staleBytes;

		public long unparseable;

		public long otherTypes;

		public long writtenLastHour;

		public Map<String, long[]> ttlBuckets = new LinkedHashMap<>();

		public Map<String, long[]> byStatus = new LinkedHashMap<>();

		public Map<String, long[]> ageBuckets = new LinkedHashMap<>();

		public List<TopKey> top = new ArrayList<>();

		public String histogram;

		/** A sampled scan's pages so far; {@code null} for a scan that is not sampled. */
		public SampleEstimator.Sums sample;

		/** The figures when the page in progress began. */
		public Map<String, Long> atPageStart = new LinkedHashMap<>();

		/** The shares visited before and after the page in progress. */
		public double pageStart;

		public double pageEnd;

		/** Where the pages added to {@link #sample} end. */
		public double pagesEnd;

	}

}
