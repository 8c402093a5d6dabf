package dev.workflowkeeper.purge;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.redis.RedisWorkflowStore;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.SampleStates;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The purge's writer on a real Redis: a chunk's archive records are complete on disk
 * before any of its states is deleted, and a writer restarted after a chunk that died
 * mid-delete keeps that chunk's records, counts what it deleted, never archives a state
 * twice, and moves a torn tail aside.
 */
@ExtendWith(RedisServerExtension.class)
class PurgeItemWriterIntegrationTests {

	private static final String P = SampleStates.PREFIX;

	private final RedisDatabase redis;

	private RedisWorkflowStore store;

	@TempDir
	Path tmp;

	PurgeItemWriterIntegrationTests(RedisDatabase redis) {
		this.redis = redis;
	}

	@BeforeEach
	void connect() {
		this.store = new RedisWorkflowStore(StoreUri.parse(this.redis.uri()), P,
				WorkerSettings.defaults().keeperProperties().redis());
	}

	@AfterEach
	void disconnect() {
		this.store.close();
	}

	@Test
	void shouldHaveEveryRecordOfAChunkOnDiskBeforeDeletingAnyOfItsStates() throws Exception {
		// given: ten stale states, and a store that reads the archive from disk when
		// asked
		// to delete
		List<KeyInfo> keys = load(10);
		Path file = this.tmp.resolve("purge-1.jsonl.gz");
		List<List<String>> onDiskAtDelete = new ArrayList<>();
		MaintainableStore watching = new DelegatingStore(maintenance()) {
			@Override
			public List<Boolean> deleteIfUnchanged(List<KeyValue> judged) {
				onDiskAtDelete.add(threadIds(readComplete(file)));
				return super.deleteIfUnchanged(judged);
			}
		};
		PurgeItemWriter writer = writer(watching, file, counters());
		writer.open(new ExecutionContext());

		// when: two chunks
		writer.write(new Chunk<>(keys.subList(0, 5)));
		writer.update(new ExecutionContext());
		writer.write(new Chunk<>(keys.subList(5, 10)));
		writer.close();

		// then: at each delete, the chunk's records were already in the file
		assertThat(onDiskAtDelete).hasSize(2);
		assertThat(onDiskAtDelete.get(0)).containsExactly("s0", "s1", "s2", "s3", "s4");
		assertThat(onDiskAtDelete.get(1)).containsExactly("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9");
		try (Jedis jedis = this.redis.jedis()) {
			assertThat(jedis.dbSize()).isZero();
		}
	}

	@Test
	void shouldKeepTheRecordsOfAChunkThatDiedMidDeleteAndCountWhatItDeleted() throws Exception {
		// given: a committed chunk, then a chunk that dies after deleting two of its five
		// states, and a third whose archive write was cut short
		List<KeyInfo> keys = load(10);
		Path file = this.tmp.resolve("purge-1.jsonl.gz");
		StepCounters counters = counters();
		ExecutionContext committed = new ExecutionContext();
		counters.open(committed);
		PurgeItemWriter writer = writer(maintenance(), file, counters);
		writer.open(committed);
		writer.write(new Chunk<>(keys.subList(0, 5)));
		counters.update(committed);
		writer.update(committed);
		PurgeItemWriter dying = writer(new DelegatingStore(maintenance()) {
			@Override
			public List<Boolean> deleteIfUnchanged(List<KeyValue> judged) {
				super.deleteIfUnchanged(judged.subList(0, 2));
				throw new IllegalStateException("killed");
			}
		}, file, counters);
		writer.close();
		dying.open(new ExecutionContext(committed));
		assertThatExceptionOfType(IllegalStateException.class)
			.isThrownBy(() -> dying.write(new Chunk<>(keys.subList(5, 10))));
		dying.close();
		byte[] member = gzip("{\"thread_id\":\"s10\",\"state\":{},\"expires_at\":null}\n");
		Files.write(file, Arrays.copyOf(member, member.length / 2), StandardOpenOption.APPEND);

		// when: the step restarts from the last commit, and reads the three states still
		// there again
		StepCounters resumedCounters = counters();
		resumedCounters.open(committed);
		PurgeItemWriter resumed = writer(maintenance(), file, resumedCounters);
		resumed.open(committed);
		long archivedAtOpen = resumedCounters.get(PurgeFigures.ARCHIVED);
		long deletedAtOpen = resumedCounters.get(PurgeFigures.DELETED);
		resumed.write(new Chunk<>(keys.subList(7, 10)));
		resumed.update(new ExecutionContext());
		resumed.close();

		// then: the two states the dead chunk deleted count as deleted, the records of
		// all ten are there once each, and the torn tail is kept aside
		assertThat(archivedAtOpen).isEqualTo(10);
		assertThat(deletedAtOpen).isEqualTo(7);
		assertThat(resumedCounters.get(PurgeFigures.DELETED_BEFORE_RESTART)).isEqualTo(2);
		assertThat(resumedCounters.get(PurgeFigures.DELETED)).isEqualTo(10);
		assertThat(resumedCounters.get(PurgeFigures.ARCHIVED)).isEqualTo(10);
		assertThat(threadIds(readAll(file))).containsExactly("s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8",
				"s9");
		try (var torn = Files.list(this.tmp).filter((path) -> path.getFileName().toString().contains(".torn-"))) {
			assertThat(torn.toList()).singleElement()
				.satisfies((path) -> assertThat(Files.size(path)).isEqualTo(member.length / 2));
		}
		try (Jedis jedis = this.redis.jedis()) {
			assertThat(jedis.dbSize()).isZero();
		}
	}

	@Test
	void shouldKeepAPlainArchivesCompleteLinesAndMoveATornLastLineAside() throws Exception {
		// given: a plain archive with two complete lines past the commit and a torn one
		Path file = this.tmp.resolve("purge-1-unparseable.jsonl");
		Files.writeString(file, "{\"key\":\"a\"}\n{\"key\":\"b\"}\n{\"key\":\"c\"}\n{\"ke");
		ArchiveFile archive = new ArchiveFile(file);

		// when
		ArchiveFile.Recovery recovery = archive.open(12, 1);
		archive.append(List.of("{\"key\":\"d\"}"));
		archive.close();

		// then
		assertThat(recovery.lines()).containsExactly("{\"key\":\"b\"}", "{\"key\":\"c\"}");
		assertThat(Files.readString(recovery.torn())).isEqualTo("{\"ke");
		assertThat(archive.records()).isEqualTo(4);
		assertThat(Files.readString(file))
			.isEqualTo("{\"key\":\"a\"}\n{\"key\":\"b\"}\n{\"key\":\"c\"}\n{\"key\":\"d\"}\n");
	}

	@Test
	void shouldKeepAnArchiveOfAnEarlierHistoryAsideAndBeginANewOne() throws Exception {
		// given: an archive of the same name, older than the run, and nothing committed
		Path file = this.tmp.resolve("purge-1.jsonl.gz");
		byte[] earlier = gzip("{\"thread_id\":\"old\",\"state\":{},\"expires_at\":null}\n");
		Files.write(file, earlier);
		Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(3_600)));
		ArchiveFile archive = new ArchiveFile(file);

		// when
		ArchiveFile.Recovery recovery = archive.open(0, 0, Instant.now().minusSeconds(60));
		archive.append(List.of("{\"thread_id\":\"new\",\"state\":{},\"expires_at\":null}"));
		archive.close();

		// then
		assertThat(recovery.lines()).isEmpty();
		assertThat(Files.readAllBytes(recovery.earlier())).isEqualTo(earlier);
		assertThat(threadIds(readAll(file))).containsExactly("new");
	}

	private List<KeyInfo> load(int count) {
		List<KeyInfo> keys = new ArrayList<>();
		try (Jedis jedis = this.redis.jedis()) {
			for (int i = 0; i < count; i++) {
				String value = SampleStates.state("s" + i, "processing", 3 * 86_400);
				jedis.set(P + "s" + i, value);
				keys.add(new KeyInfo(P + "s" + i, "s" + i, "string", 100, WorkflowEntry.NO_EXPIRY,
						value.getBytes(StandardCharsets.UTF_8)));
			}
		}
		return keys;
	}

	private MaintainableStore maintenance() {
		return this.store.maintenance().orElseThrow();
	}

	private static PurgeItemWriter writer(MaintainableStore store, Path file, StepCounters counters) {
		return new PurgeItemWriter(store, P, new ArchiveFile(file),
				new ArchiveFile(file.resolveSibling("purge-1-unparseable.jsonl")), counters, Instant.MIN);
	}

	private static StepCounters counters() {
		return new StepCounters(PurgeFigures.DELETE, PurgeFigures.DELETE_PASS);
	}

	private static byte[] gzip(String text) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
			out.write(text.getBytes(StandardCharsets.UTF_8));
		}
		return bytes.toByteArray();
	}

	/** The complete lines a reader gets from the file now, up to a torn end. */
	static List<String> readComplete(Path file) {
		ByteArrayOutputStream content = new ByteArrayOutputStream();
		try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
			byte[] buffer = new byte[8192];
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				content.write(buffer, 0, n);
			}
		}
		catch (EOFException ex) {
			// a torn last member: keep what came before
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		String text = content.toString(StandardCharsets.UTF_8);
		return text.isEmpty() ? List.of() : List.of(text.substring(0, text.lastIndexOf('\n') + 1).split("\n"));
	}

	/** Every line of a gzip file that must be whole. */
	private static List<String> readAll(Path file) throws IOException {
		try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
			return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
		}
	}

	private static List<String> threadIds(List<String> lines) {
		return lines.stream()
			.filter((line) -> !line.isEmpty())
			.map((line) -> line.substring("{\"thread_id\":\"".length(), line.indexOf('"', 14)))
			.toList();
	}

	/** A real store, with one operation a test overrides. */
	private static class DelegatingStore implements MaintainableStore {

		private final MaintainableStore store;

		DelegatingStore(MaintainableStore store) {
			this.store = store;
		}

		@Override
		public List<org.springframework.batch.infrastructure.item.ItemStreamReader<KeyInfo>> keyReaders(String name,
				KeyDetail detail) {
			return this.store.keyReaders(name, detail);
		}

		@Override
		public List<TtlOutcome> enforceTtl(List<TtlChange> changes) {
			return this.store.enforceTtl(changes);
		}

		@Override
		public List<Boolean> deleteIfUnchanged(List<KeyValue> judged) {
			return this.store.deleteIfUnchanged(judged);
		}

		@Override
		public List<Boolean> exist(List<String> keys) {
			return this.store.exist(keys);
		}

		@Override
		public Map<String, Object> serverInfo() {
			return this.store.serverInfo();
		}

	}

}
