package dev.workflowkeeper.store.memory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.store.WorkflowStore;
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
		return new Binder(new MapConfigurationPropertySource(Map.of("keeper.data-dir", this.dataDir.toString())))
			.bindOrCreate("keeper", KeeperProperties.class);
	}

}
