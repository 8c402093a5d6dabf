package dev.workflowkeeper.store.snapshot;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The two layouts a snapshot file can have, told apart by their content (gzip or not).
 */
public enum SnapshotFormat {

	/**
	 * One JSON object of all states, {@code {"thread_id": {state}, …}}, as Python's
	 * {@code json.dump} writes the service's in-memory dict. Holds no expiries.
	 */
	JSON_MAP,

	/**
	 * One record a line, {@code {"thread_id": "…", "state": {…}, "expires_at":
	 * "…Z"|null}}: what the worker writes, expiries included.
	 */
	JSON_LINES;

	private static final byte[] THREAD_ID = "\"thread_id\"".getBytes(StandardCharsets.US_ASCII);

	private static final int SNIFF_LIMIT = 64 * 1024;

	/**
	 * Detects the format of a snapshot file: a first property named {@code thread_id}
	 * with a string value means JSON Lines; a {@code .jsonl} or {@code .ndjson} name
	 * decides when the start is unreadable; anything else is read as the map. An empty
	 * file is empty JSON Lines.
	 * @throws dev.workflowkeeper.store.StoreAccessException when the file cannot be read
	 */
	public static SnapshotFormat detect(Path path) {
		try (SnapshotInput input = SnapshotInput.open(path)) {
			skipWhitespace(input);
			if (input.peek() == 0xEF) {
				input.read();
				input.read();
				input.read();
				skipWhitespace(input);
			}
			if (input.peek() == -1) {
				return JSON_LINES;
			}
			if (input.read() == '{') {
				skipWhitespace(input);
				if (matches(input, THREAD_ID)) {
					skipWhitespace(input);
					if (input.read() == ':') {
						skipWhitespace(input);
						if (input.peek() == '"') {
							return JSON_LINES;
						}
					}
				}
			}
			return byName(path);
		}
	}

	private static SnapshotFormat byName(Path path) {
		String name = path.getFileName().toString().toLowerCase();
		if (name.endsWith(".gz")) {
			name = name.substring(0, name.length() - 3);
		}
		return (name.endsWith(".jsonl") || name.endsWith(".ndjson")) ? JSON_LINES : JSON_MAP;
	}

	private static boolean matches(SnapshotInput input, byte[] expected) {
		for (byte b : expected) {
			if (input.read() != b) {
				return false;
			}
		}
		return true;
	}

	private static void skipWhitespace(SnapshotInput input) {
		int c;
		while (input.offset() < SNIFF_LIMIT && ((c = input.peek()) == ' ' || c == '\n' || c == '\r' || c == '\t')) {
			input.read();
		}
	}

	RecordSplitter splitter(SnapshotInput input, long maxRecordSize) {
		return (this == JSON_MAP) ? new JsonMapSplitter(input, maxRecordSize)
				: new JsonLinesSplitter(input, maxRecordSize);
	}

}
