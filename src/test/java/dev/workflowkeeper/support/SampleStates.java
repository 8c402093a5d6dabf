package dev.workflowkeeper.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

/**
 * Small known workflow states for tests, in Redis or in a snapshot file as the service
 * writes them.
 */
public final class SampleStates {

	public static final String PREFIX = "document_workflow:";

	private SampleStates() {
	}

	/**
	 * A state as the service's json.dumps writes it (with spaces), updated
	 * {@code ageSeconds} ago.
	 */
	public static String state(String threadId, String status, long ageSeconds) {
		String updated = LocalDateTime.ofInstant(Instant.now().minusSeconds(ageSeconds), ZoneOffset.UTC).toString();
		return "{\"thread_id\": \"" + threadId + "\", \"status\": \"" + status + "\", \"updated_at\": \"" + updated
				+ "\", \"steps\": [{\"name\": \"ocr\", \"ok\": true}], \"score\": 0.25, \"note\": \"caf\u00e9 \u2713\"}";
	}

	/**
	 * {@code count} states t0…t(n-1), statuses cycling
	 * processing/completed/failed/pending, ages 0–n minutes.
	 */
	public static Map<String, String> states(int count) {
		String[] statuses = { "processing", "completed", "failed", "pending" };
		Map<String, String> states = new LinkedHashMap<>();
		for (int i = 0; i < count; i++) {
			states.put("t" + i, state("t" + i, statuses[i % statuses.length], 60L * i));
		}
		return states;
	}

	/** Writes states into Redis as the service does: SET key json EX ttl. */
	public static void load(Jedis jedis, Map<String, String> states, long ttlSeconds) {
		for (Map.Entry<String, String> state : states.entrySet()) {
			jedis.set(PREFIX + state.getKey(), state.getValue(), SetParams.setParams().ex(ttlSeconds));
		}
	}

	/** Keys that look like states but are not: other prefixes and another type. */
	public static void loadLookAlikes(Jedis jedis) {
		jedis.set("document_workflowX1", "{\"status\": \"processing\"}");
		jedis.set("document_workflow_meta:1", "{\"status\": \"processing\"}");
		jedis.set("session:1", "{\"status\": \"processing\"}");
		jedis.hset(PREFIX + "a-hash", "status", "processing");
	}

	/** Writes a snapshot as the service's json.dump of its dict does. */
	public static Path writeMap(Path file, Map<String, String> states) throws IOException {
		StringBuilder json = new StringBuilder("{");
		boolean first = true;
		for (Map.Entry<String, String> state : states.entrySet()) {
			json.append(first ? "" : ", ").append('"').append(state.getKey()).append("\": ").append(state.getValue());
			first = false;
		}
		Files.writeString(file, json.append('}').toString(), StandardCharsets.UTF_8);
		return file;
	}

}
