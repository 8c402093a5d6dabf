package dev.workflowkeeper.store.memory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.StoreInUseException;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.store.WorkflowStore;
import dev.workflowkeeper.store.snapshot.JsonLinesEncoder;
import dev.workflowkeeper.store.snapshot.SnapshotItemReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

class MemoryWorkflowStoreTests {

	private static final String PREFIX = "document_workflow:";

	@TempDir
	Path dataDir;

	private MemoryWorkflowStore store;

	@BeforeEach
	void createStore() {
		this.store = new MemoryWorkflowStore(properties());
	}

	@AfterEach
	void destroyStore() {
		this.store.destroy();
	}

	@Test
	void shouldHideAndRemoveStatesOnceTheyExpire() throws Exception {
		// given
		WorkflowStore view = this.store.view(PREFIX);
		write(view, ConflictPolicy.OVERWRITE, entry("short", "{}", in(200)), entry("long", "{}", in(60_000)));
		assertThat(this.store.get(PREFIX + "short")).isPresent();

		// when
		Thread.sleep(300);

		// then
		assertThat(this.store.get(PREFIX + "short")).isEmpty();
		assertThat(view.estimateCount()).isEqualTo(1);
		assertThat(readAll(view, new ExecutionContext())).extracting(WorkflowEntry::threadId).containsExactly("long");
		write(view, ConflictPolicy.OVERWRITE, entry("brief", "{}", in(100)));
		Thread.sleep(200);
		assertThat(this.store.removeExpired()).isEqualTo(1);
	}

	@Test
	void shouldResolveConflictsByPolicy() throws Exception {
		// given
		WorkflowStore view = this.store.view(PREFIX);
		write(view, ConflictPolicy.OVERWRITE, entry("kept", "{\"v\":1}", in(60_000)),
				entry("old", "{\"updated_at\":\"2026-11-25T10:00:00\"}", in(60_000)),
				entry("recent", "{\"updated_at\":\"2026-11-25T12:00:00\"}", in(60_000)),
				entry("stale", "{\"v\":1}", in(100)));
		Thread.sleep(150);

		// when
		WorkflowItemWriter.WriteCounts skip = write(view, ConflictPolicy.SKIP, entry("kept", "{\"v\":2}", in(60_000)),
				entry("stale", "{\"v\":2}", in(60_000)), entry("new", "{}", in(60_000)));
		WorkflowItemWriter.WriteCounts newer = write(view, ConflictPolicy.NEWER,
				entry("old", "{\"updated_at\":\"2026-11-25T11:00:00Z\"}", in(60_000)),
				entry("recent", "{\"updated_at\":\"2026-11-25T11:00:00Z\"}", in(60_000)));
		WorkflowItemWriter.WriteCounts overwrite = write(view, ConflictPolicy.OVERWRITE,
				entry("kept", "{\"v\":3}", in(60_000)));

		// then
		assertThat(skip).isEqualTo(new WorkflowItemWriter.WriteCounts(2, 1, 0));
		assertThat(newer).isEqualTo(new WorkflowItemWriter.WriteCounts(1, 1, 0));
		assertThat(overwrite).isEqualTo(new WorkflowItemWriter.WriteCounts(1, 0, 0));
		assertThat(value(PREFIX + "stale")).isEqualTo("{\"v\":2}");
		assertThat(value(PREFIX + "old")).isEqualTo("{\"updated_at\":\"2026-11-25T11:00:00Z\"}");
		assertThat(value(PREFIX + "recent")).isEqualTo("{\"updated_at\":\"2026-11-25T12:00:00\"}");
		assertThat(value(PREFIX + "kept")).isEqualTo("{\"v\":3}");
	}

	@Test
	void shouldRefuseStatesWithoutExpiryAndCountExpiredOnes() throws Exception {
		WorkflowStore view = this.store.view(PREFIX);

		assertThatIllegalStateException()
			.isThrownBy(() -> write(view, ConflictPolicy.OVERWRITE, entry("forever", "{}", WorkflowEntry.NO_EXPIRY)))
			.withMessageContaining("no state without expiry");
		assertThat(write(view, ConflictPolicy.OVERWRITE, entry("past", "{}", System.currentTimeMillis() - 1)))
			.isEqualTo(new WorkflowItemWriter.WriteCounts(0, 0, 1));
		assertThat(this.store.count(PREFIX)).isZero();
	}

	@Test
	void shouldResumeReadingAfterTheLastKeyOnRestart() throws Exception {
		// given states under two prefixes
		WorkflowStore view = this.store.view(PREFIX);
		write(view, ConflictPolicy.OVERWRITE, entry("t1", "{}", in(60_000)), entry("t2", "{}", in(60_000)),
				entry("t3", "{}", in(60_000)), entry("t4", "{}", in(60_000)), entry("t5", "{}", in(60_000)));
		write(this.store.view("other:"), ConflictPolicy.OVERWRITE, entry("x", "{}", in(60_000)));
		this.store.put("zzz", "{}".getBytes(StandardCharsets.UTF_8), in(60_000));
		ExecutionContext context = new ExecutionContext();
		ItemStreamReader<WorkflowEntry> first = view.readers("read").get(0);
		first.open(context);
		List<String> before = List.of(first.read().threadId(), first.read().threadId());
		first.update(context);
		first.close();

		// when
		List<WorkflowEntry> after = readAll(view, context);

		// then
		assertThat(before).containsExactly("t1", "t2");
		assertThat(after).extracting(WorkflowEntry::threadId).containsExactly("t3", "t4", "t5");
		assertThat(context.getString("read.lastKey")).isEqualTo(PREFIX + "t5");
		assertThat(view.estimateCount()).isEqualTo(5);
		assertThat(view.describe()).isEqualTo("memory:");
		assertThat(view.holdsExpiries()).isTrue();
	}

	@Test
	void shouldOfferTheCommandsOfTheMaintenanceJobs() {
		// given
		byte[] running = "{\"status\":\"running\"}".getBytes(StandardCharsets.UTF_8);
		this.store.put("k", running, in(60_000));
		long later = in(120_000);

		// when / then
		assertThat(this.store.expireAt("k", later)).isTrue();
		assertThat(this.store.get("k"))
			.hasValueSatisfying((entry) -> assertThat(entry.expireAtMillis()).isEqualTo(later));
		assertThat(this.store.expireAt("missing", later)).isFalse();
		assertThat(this.store.deleteIfValue("k", "{\"status\":\"done\"}".getBytes(StandardCharsets.UTF_8))).isFalse();
		assertThat(this.store.deleteIfValue("k", running.clone())).isTrue();
		assertThat(this.store.get("k")).isEmpty();
		assertThat(this.store.count("")).isZero();
	}

	@Test
	void shouldKeepItsStatesAcrossARestartOfTheWorker() throws Exception {
		// given
		long expireAt = in(60_000);
		write(this.store.view(PREFIX), ConflictPolicy.OVERWRITE, entry("a", "{\"n\":1}", expireAt),
				entry("b", "{\"n\":2}", in(150)));
		Thread.sleep(200);

		// when
		this.store.destroy();
		MemoryWorkflowStore restarted = new MemoryWorkflowStore(properties());

		// then
		assertThat(this.dataDir.resolve("memory-store.jsonl")).exists();
		assertThat(restarted.get(PREFIX + "a"))
			.contains(new WorkflowEntry(PREFIX + "a", "{\"n\":1}".getBytes(StandardCharsets.UTF_8), expireAt));
		assertThat(restarted.count(PREFIX)).isEqualTo(1);
		restarted.destroy();
	}

	@Test
	void shouldNotWriteItsFileWhenNothingChanged() {
		this.store.count(PREFIX);
		this.store.destroy();

		assertThat(Files.exists(this.dataDir.resolve("memory-store.jsonl"))).isFalse();
	}

	@Test
	void shouldSaveASnapshotWhoseThreadIdsHoldNoPrefix() throws Exception {
		// given states under the configured prefix, another prefix, and an id that
		// starts with the prefix again
		long expireAt = in(60_000);
		write(this.store.view(PREFIX), ConflictPolicy.OVERWRITE, entry("a", "{\"n\":1}", expireAt),
				entry("b", "{\"n\":2}", expireAt), entry(PREFIX + "c", "{\"n\":3}", expireAt));
		write(this.store.view("other:"), ConflictPolicy.OVERWRITE, entry("x", "{\"n\":4}", expireAt));

		// when
		this.store.destroy();

		// then the file is a snapshot of the configured prefix's states, read as any
		// snapshot is
		assertThat(snapshot(this.dataDir.resolve("memory-store.jsonl"))).extracting(WorkflowEntry::threadId)
			.containsExactly("a", "b");
		assertThat(snapshot(this.dataDir.resolve("memory-store.other-prefixes.jsonl")))
			.extracting(WorkflowEntry::threadId)
			.containsExactly(PREFIX + PREFIX + "c", "other:x");
		MemoryWorkflowStore restarted = new MemoryWorkflowStore(properties());
		try {
			assertThat(restarted.entries().keySet()).containsExactly(PREFIX + "a", PREFIX + "b", PREFIX + PREFIX + "c",
					"other:x");
			assertThat(restarted.get(PREFIX + "a"))
				.hasValueSatisfying((entry) -> assertThat(entry.expireAtMillis()).isEqualTo(expireAt));
		}
		finally {
			restarted.destroy();
		}
	}

	@Test
	void shouldReadAFileOfTheFormerLayoutWithFullKeysAsThreadIds() throws Exception {
		// given a file as the store wrote it before: full keys as thread ids
		this.store.destroy();
		String expires = JsonLinesEncoder.formatExpiry(in(60_000));
		Files.writeString(this.dataDir.resolve("memory-store.jsonl"),
				line(PREFIX + "a", expires) + line(PREFIX + "b", expires) + line("other:x", expires));

		// when
		MemoryWorkflowStore restarted = new MemoryWorkflowStore(properties());
		try {
			// then each key is read once, without a second prefix
			assertThat(restarted.entries().keySet()).containsExactly(PREFIX + "a", PREFIX + "b", "other:x");
			// and the file is rewritten as a snapshot at once
			assertThat(snapshot(this.dataDir.resolve("memory-store.jsonl"))).extracting(WorkflowEntry::threadId)
				.containsExactly("a", "b");
		}
		finally {
			restarted.destroy();
		}
		MemoryWorkflowStore again = new MemoryWorkflowStore(properties());
		try {
			assertThat(again.entries().keySet()).containsExactly(PREFIX + "a", PREFIX + "b", "other:x");
		}
		finally {
			again.destroy();
		}
	}

	@Test
	void shouldKeepEveryWrittenChunkWhenTheProcessEndsWithoutClosingTheStore() throws Exception {
		// given chunks written, a state deleted and one capped, and the store never
		// closed
		long expireAt = in(60_000);
		WorkflowStore view = this.store.view(PREFIX);
		write(view, ConflictPolicy.OVERWRITE, entry("a", "{\"n\":1}", expireAt), entry("b", "{\"n\":2}", expireAt));
		write(view, ConflictPolicy.OVERWRITE, entry("a", "{\"n\":3}", expireAt), entry("c", "{\"n\":4}", expireAt));
		MemoryMaintenance maintenance = new MemoryMaintenance(this.store, PREFIX);
		maintenance.deleteIfUnchanged(List.of(new MaintainableStore.KeyValue(PREFIX + "b", bytes("{\"n\":2}"))));
		long capped = in(30_000);
		maintenance.enforceTtl(List.of(new MaintainableStore.TtlChange(PREFIX + "c", capped, capped, null, null)));

		// when the files are read as a crash leaves them, with a line torn at the end
		Path crashed = Files.createDirectories(this.dataDir.resolve("crashed"));
		for (String name : List.of("memory-store.jsonl", "memory-store.journal")) {
			if (Files.exists(this.dataDir.resolve(name))) {
				Files.copy(this.dataDir.resolve(name), crashed.resolve(name));
			}
		}
		Files.writeString(crashed.resolve("memory-store.journal"), "1234 ZG9j 17", StandardOpenOption.APPEND);
		MemoryWorkflowStore recovered = new MemoryWorkflowStore(properties(crashed));
		try {
			// then every change is there
			assertThat(recovered.entries().keySet()).containsExactly(PREFIX + "a", PREFIX + "c");
			assertThat(recovered.get(PREFIX + "a").orElseThrow().valueAsString()).isEqualTo("{\"n\":3}");
			assertThat(recovered.get(PREFIX + "c").orElseThrow().expireAtMillis()).isEqualTo(capped);
			// and the journal was compacted into the file
			assertThat(crashed.resolve("memory-store.journal")).doesNotExist();
			assertThat(snapshot(crashed.resolve("memory-store.jsonl"))).extracting(WorkflowEntry::threadId)
				.containsExactly("a", "c");
		}
		finally {
			recovered.destroy();
		}
	}

	@Test
	void shouldRefuseASecondOwnerNamingTheFirst() {
		// given
		this.store.open();

		// when / then
		MemoryWorkflowStore second = new MemoryWorkflowStore(properties());
		assertThatExceptionOfType(StoreInUseException.class).isThrownBy(() -> second.view(PREFIX))
			.withMessageContaining("is in use by pid " + ProcessHandle.current().pid())
			.withMessageContaining("one process at a time");

		// and once the first closes it, the second gets it
		this.store.destroy();
		try {
			assertThat(second.view(PREFIX).estimateCount()).isZero();
		}
		finally {
			second.destroy();
		}
	}

	private String value(String key) {
		return this.store.get(key).orElseThrow().valueAsString();
	}

	private static List<WorkflowEntry> readAll(WorkflowStore view, ExecutionContext context) throws Exception {
		ItemStreamReader<WorkflowEntry> reader = view.readers("read").get(0);
		reader.open(context);
		List<WorkflowEntry> entries = new ArrayList<>();
		WorkflowEntry entry;
		while ((entry = reader.read()) != null) {
			entries.add(entry);
		}
		reader.update(context);
		reader.close();
		return entries;
	}

	private static WorkflowItemWriter.WriteCounts write(WorkflowStore view, ConflictPolicy policy,
			WorkflowEntry... entries) throws Exception {
		WorkflowItemWriter writer = view.writer("write", policy);
		writer.open(new ExecutionContext());
		writer.write(Chunk.of(entries));
		writer.close();
		return writer.counts();
	}

	private static WorkflowEntry entry(String threadId, String json, long expireAt) {
		return new WorkflowEntry(threadId, json.getBytes(StandardCharsets.UTF_8), expireAt);
	}

	private static long in(long millis) {
		return System.currentTimeMillis() + millis;
	}

	private KeeperProperties properties() {
		return properties(this.dataDir);
	}

	private static KeeperProperties properties(Path dataDir) {
		return new Binder(new MapConfigurationPropertySource(Map.of("keeper.data-dir", dataDir.toString())))
			.bindOrCreate("keeper", KeeperProperties.class);
	}

	private static List<WorkflowEntry> snapshot(Path file) throws Exception {
		SnapshotItemReader reader = new SnapshotItemReader("check", file, 1 << 20);
		reader.open(new ExecutionContext());
		List<WorkflowEntry> entries = new ArrayList<>();
		WorkflowEntry entry;
		while ((entry = reader.read()) != null) {
			entries.add(entry);
		}
		reader.close();
		return entries;
	}

	private static String line(String threadId, String expires) {
		return "{\"thread_id\":\"" + threadId + "\",\"state\":{\"n\":1},\"expires_at\":\"" + expires + "\"}\n";
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
