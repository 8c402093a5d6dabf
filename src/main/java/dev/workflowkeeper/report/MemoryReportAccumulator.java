package dev.workflowkeeper.report;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeMap;
import java.util.zip.DataFormatException;

import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
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

	private State state = new State();

	private Histogram sizes = newHistogram();

	private PriorityQueue<TopKey> top = new PriorityQueue<>(Comparator.comparingLong(TopKey::bytes));

	/**
	 * @param values whether the keys come with their values: without them the status, age
	 * and stale figures are unknown, not zero
	 */
	MemoryReportAccumulator(ReportSettings settings, long nowMillis, boolean values) {
		this.settings = settings;
		this.now = nowMillis;
		this.values = values;
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

	/** The figures so far. */
	MemoryReport report(Map<String, Object> server) {
		State s = this.state;
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
				server);
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

	}

}
