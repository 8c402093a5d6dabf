package dev.workflowkeeper.generate;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import java.util.UUID;

import dev.workflowkeeper.store.WorkflowEntry;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;

/**
 * Makes realistic workflow states for trying the worker out and for benchmarks: JSON of
 * about 2–3 KB (one in a thousand of 100–200 KB), a mix of statuses, and ages spread over
 * the TTL (one in a hundred older than twice the TTL). State {@code i} depends only on
 * the seed and {@code i}, so a restarted run makes the same states. Not thread-safe;
 * restartable.
 */
class SampleStateReader extends ItemStreamSupport implements ItemStreamReader<WorkflowEntry> {

	private static final String[] STATUSES = { "pending", "processing", "processing", "awaiting_review", "processing",
			"completed", "completed", "failed", "cancelled", "pending" };

	private static final String[] STEPS = { "upload", "ocr", "classify", "extract", "validate", "review", "export" };

	private static final String WORDS = "invoice contract amount total due date party signature clause payment "
			+ "vendor customer address reference number tax net gross page section annex term period renewal ";

	private final long count;

	private final long seed;

	private final Duration ttl;

	private final long now;

	private long index;

	SampleStateReader(long count, long seed, Duration ttl, long nowMillis) {
		this.count = count;
		this.seed = seed;
		this.ttl = ttl;
		this.now = nowMillis;
		setName("generator");
	}

	@Override
	public WorkflowEntry read() {
		if (this.index >= this.count) {
			return null;
		}
		return state(this.index++);
	}

	WorkflowEntry state(long i) {
		SplittableRandom random = new SplittableRandom(this.seed * 0x9E3779B97F4A7C15L + i);
		String threadId = new UUID(random.nextLong(), random.nextLong()).toString();
		String status = STATUSES[random.nextInt(STATUSES.length)];
		long ttlMillis = this.ttl.toMillis();
		long age = (random.nextInt(100) == 0) ? 2 * ttlMillis + random.nextLong(ttlMillis)
				: random.nextLong(Math.max(1, ttlMillis * 9 / 10));
		long updatedAt = this.now - age;
		long createdAt = updatedAt - random.nextLong(3_600_000);
		int textLength = (random.nextInt(1000) == 0) ? 100_000 + random.nextInt(100_000)
				: 2_000 + random.nextInt(1_000);
		StringBuilder json = new StringBuilder(textLength + 1_200);
		json.append("{\"thread_id\": \"").append(threadId).append("\", \"status\": \"").append(status).append('"');
		json.append(", \"created_at\": \"")
			.append(iso(createdAt))
			.append("\", \"updated_at\": \"")
			.append(iso(updatedAt))
			.append('"');
		json.append(", \"document\": {\"id\": \"doc-")
			.append(Long.toHexString(random.nextLong()))
			.append("\", \"filename\": \"scan-")
			.append(i)
			.append(".pdf\", \"pages\": ")
			.append(1 + random.nextInt(40))
			.append(", \"mime_type\": \"application/pdf\", \"size_bytes\": ")
			.append(10_000 + random.nextInt(5_000_000))
			.append('}');
		json.append(", \"steps\": [");
		int steps = 1 + random.nextInt(STEPS.length);
		for (int s = 0; s < steps; s++) {
			json.append((s > 0) ? ", " : "")
				.append("{\"name\": \"")
				.append(STEPS[s])
				.append("\", \"status\": \"")
				.append((s < steps - 1) ? "done" : status)
				.append("\", \"attempts\": ")
				.append(1 + random.nextInt(3))
				.append('}');
		}
		json.append("], \"confidence\": ").append(random.nextInt(1000) / 1000.0);
		json.append(", \"extracted_text\": \"");
		while (json.length() < textLength) {
			int start = random.nextInt(WORDS.length() - 20);
			json.append(WORDS, start, start + 12 + random.nextInt(8));
		}
		json.append("\", \"error\": ")
			.append("failed".equals(status) ? "\"extraction timed out\"" : "null")
			.append('}');
		long expireAt = Math.max(updatedAt + ttlMillis, this.now + 3_600_000);
		return new WorkflowEntry(threadId, json.toString().getBytes(StandardCharsets.UTF_8), expireAt);
	}

	/** Python's {@code datetime.utcnow().isoformat()}: no offset, microseconds. */
	private static String iso(long epochMillis) {
		return LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC)
			.truncatedTo(ChronoUnit.MICROS)
			.withNano((int) ((epochMillis % 1000) * 1_000_000) + 123_000)
			.toString();
	}

	@Override
	public void open(ExecutionContext executionContext) {
		this.index = executionContext.getLong(getExecutionContextKey("index"), 0);
	}

	@Override
	public void update(ExecutionContext executionContext) {
		executionContext.putLong(getExecutionContextKey("index"), this.index);
	}

}
