package dev.workflowkeeper.store.snapshot;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.WorkflowEntry;

import org.springframework.batch.infrastructure.item.ItemReader;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Helpers for the snapshot tests: properties with the defaults, a read to the end, gzip,
 * offsets.
 */
final class SnapshotTestSupport {

	private SnapshotTestSupport() {
	}

	/** The worker's properties with their defaults, plus {@code keeper.*} overrides. */
	static KeeperProperties properties(Map<String, String> overrides) {
		return new Binder(new MapConfigurationPropertySource(overrides)).bindOrCreate("keeper", KeeperProperties.class);
	}

	static KeeperProperties properties() {
		return properties(Map.of());
	}

	/** Reads to the end, as a step that skips rejected records would. */
	static ReadResult readAll(ItemReader<WorkflowEntry> reader) throws Exception {
		return readUpTo(reader, Integer.MAX_VALUE);
	}

	/** Reads {@code records} records (accepted or rejected), or to the end. */
	static ReadResult readUpTo(ItemReader<WorkflowEntry> reader, int records) throws Exception {
		List<WorkflowEntry> accepted = new ArrayList<>();
		List<RejectedRecordException> rejected = new ArrayList<>();
		for (int i = 0; i < records; i++) {
			try {
				WorkflowEntry entry = reader.read();
				if (entry == null) {
					break;
				}
				accepted.add(entry);
			}
			catch (RejectedRecordException ex) {
				rejected.add(ex);
			}
		}
		return new ReadResult(accepted, rejected);
	}

	static byte[] gzip(byte[] bytes) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
			gz.write(bytes);
		}
		return out.toByteArray();
	}

	static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/** Offset of the first occurrence of {@code text} (ASCII) in {@code bytes}. */
	static int offsetOf(byte[] bytes, String text) {
		byte[] pattern = text.getBytes(StandardCharsets.US_ASCII);
		outer: for (int i = 0; i <= bytes.length - pattern.length; i++) {
			for (int j = 0; j < pattern.length; j++) {
				if (bytes[i + j] != pattern[j]) {
					continue outer;
				}
			}
			return i;
		}
		throw new IllegalArgumentException(text + " not found");
	}

	static byte[] concat(byte[]... parts) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		for (byte[] part : parts) {
			out.writeBytes(part);
		}
		return out.toByteArray();
	}

	record ReadResult(List<WorkflowEntry> accepted, List<RejectedRecordException> rejected) {

		List<String> threadIds() {
			return this.accepted.stream().map(WorkflowEntry::threadId).toList();
		}

	}

}
