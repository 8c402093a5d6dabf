package dev.workflowkeeper.store.snapshot;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.zip.GZIPInputStream;

import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.store.snapshot.SnapshotTestSupport.ReadResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.test.MetaDataInstanceFactory;

import static dev.workflowkeeper.store.snapshot.SnapshotTestSupport.properties;
import static dev.workflowkeeper.store.snapshot.SnapshotTestSupport.readAll;
import static dev.workflowkeeper.store.snapshot.SnapshotTestSupport.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class SnapshotItemWriterTests {

	private static final long IN_A_YEAR = Instant.now().plusSeconds(365L * 24 * 3600).toEpochMilli();

	@TempDir
	Path dir;

	@Test
	void shouldPublishTheFileOnlyWhenTheStepCompletes() throws Exception {
		// given
		Path target = this.dir.resolve("out.jsonl");
		WorkflowItemWriter writer = store(target).writer("write", ConflictPolicy.SKIP);
		ExecutionContext context = new ExecutionContext();
		writer.open(context);

		// when
		writer.write(Chunk.of(entry("a", "{\"n\":1}", 1764090000000L + 365L * 24 * 3600 * 1000 * 10),
				entry("b", "{\n  \"multi\": [1, 2.50]\n}", WorkflowEntry.NO_EXPIRY)));
		writer.update(context);

		// then
		assertThat(target).doesNotExist();
		writer.afterStep(completed());
		writer.close();
		assertThat(target).exists();
		assertThat(((SnapshotItemWriter) writer).temporaryFile()).doesNotExist();
		assertThat(Files.readString(target)).isEqualTo("""
				{"thread_id":"a","state":{"n":1},"expires_at":"2035-11-23T17:00:00.000Z"}
				{"thread_id":"b","state":{"multi":[1,2.50]},"expires_at":null}
				""");
		assertThat(writer.counts()).isEqualTo(new WorkflowItemWriter.WriteCounts(2, 0, 0));
	}

	@Test
	void shouldLeaveTheTargetUntouchedWhenTheStepDoesNotComplete() throws Exception {
		// given
		Path target = Files.writeString(this.dir.resolve("out.jsonl"), "previous\n");
		WorkflowItemWriter writer = store(target).writer("write", ConflictPolicy.OVERWRITE);
		writer.open(new ExecutionContext());
		writer.write(Chunk.of(entry("a", "{}", IN_A_YEAR)));

		// when
		StepExecution failed = MetaDataInstanceFactory.createStepExecution();
		failed.setStatus(BatchStatus.FAILED);
		writer.afterStep(failed);
		writer.close();

		// then
		assertThat(Files.readString(target)).isEqualTo("previous\n");
	}

	@Test
	void shouldGzipATargetNamedGzAndReadItBack() throws Exception {
		// given
		Path target = this.dir.resolve("out.jsonl.gz");
		SnapshotWorkflowStore store = store(target);
		WorkflowItemWriter writer = store.writer("write", ConflictPolicy.SKIP);
		WorkflowEntry a = entry("a", "{\"status\":\"running\",\"title\":\"Café\"}", IN_A_YEAR);
		WorkflowEntry b = entry("b", "{\"x\":NaN}", WorkflowEntry.NO_EXPIRY);

		// when
		writer.open(new ExecutionContext());
		writer.write(Chunk.of(a, b));
		writer.afterStep(completed());
		writer.close();

		// then
		try (InputStream in = new GZIPInputStream(Files.newInputStream(target))) {
			assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).startsWith("{\"thread_id\":\"a\"");
		}
		assertThat(store.holdsExpiries()).isTrue();
		SnapshotItemReader reader = (SnapshotItemReader) store.readers("read").get(0);
		reader.open(new ExecutionContext());
		ReadResult result = readAll(reader);
		reader.close();
		assertThat(result.rejected()).isEmpty();
		assertThat(result.accepted()).containsExactly(a, b);
	}

	@Test
	void shouldTruncateTheUncommittedChunkOnRestart() throws Exception {
		// given a run that committed one chunk and crashed in the middle of the next
		Path target = this.dir.resolve("out.jsonl");
		ExecutionContext context = new ExecutionContext();
		WorkflowItemWriter first = store(target).writer("write", ConflictPolicy.SKIP);
		first.open(context);
		first.write(Chunk.of(entry("a", "{}", IN_A_YEAR), entry("b", "{}", IN_A_YEAR)));
		first.update(context);
		first.write(Chunk.of(entry("c", "{}", IN_A_YEAR), entry("d", "{}", IN_A_YEAR)));
		first.close();
		assertThat(Files.readString(((SnapshotItemWriter) first).temporaryFile())).contains("\"d\"");

		// when
		WorkflowItemWriter second = store(target).writer("write", ConflictPolicy.SKIP);
		second.open(context);
		second.write(Chunk.of(entry("c", "{}", IN_A_YEAR), entry("d", "{}", IN_A_YEAR)));
		second.update(context);
		second.afterStep(completed());
		second.close();

		// then
		SnapshotItemReader reader = new SnapshotItemReader("read", target, 1024);
		reader.open(new ExecutionContext());
		ReadResult result = readAll(reader);
		assertThat(result.threadIds()).containsExactly("a", "b", "c", "d");
		assertThat(result.rejected()).isEmpty();
		assertThat(second.counts().written()).isEqualTo(4);
	}

	@Test
	void shouldRefuseToReplaceAnExistingFileUnlessTold() throws Exception {
		// given
		Path target = Files.writeString(this.dir.resolve("out.jsonl"), "previous\n");

		// when / then
		for (ConflictPolicy policy : new ConflictPolicy[] { ConflictPolicy.SKIP, ConflictPolicy.NEWER }) {
			WorkflowItemWriter writer = store(target).writer("write", policy);
			assertThatExceptionOfType(StoreAccessException.class).isThrownBy(() -> writer.open(new ExecutionContext()))
				.withMessage("snapshot file " + target.toAbsolutePath()
						+ " exists already: remove it or use --on-conflict overwrite");
		}
		WorkflowItemWriter overwriting = store(target).writer("write", ConflictPolicy.OVERWRITE);
		overwriting.open(new ExecutionContext());
		overwriting.write(Chunk.of(entry("a", "{}", WorkflowEntry.NO_EXPIRY)));
		overwriting.afterStep(completed());
		overwriting.close();
		assertThat(Files.readString(target)).isEqualTo("{\"thread_id\":\"a\",\"state\":{},\"expires_at\":null}\n");
	}

	@Test
	void shouldRefuseASecondRunWritingTheSameFile() {
		// given
		Path target = this.dir.resolve("out.jsonl");
		WorkflowItemWriter running = store(target).writer("write", ConflictPolicy.SKIP);
		running.open(new ExecutionContext());

		// when / then
		WorkflowItemWriter second = store(target).writer("write", ConflictPolicy.SKIP);
		assertThatExceptionOfType(StoreAccessException.class).isThrownBy(() -> second.open(new ExecutionContext()))
			.withMessageEndingWith("is being written by another run: wait for it to end");
		running.close();
	}

	@Test
	void shouldCountStatesThatExpiredBeforeTheirWrite() throws Exception {
		// given
		Path target = this.dir.resolve("out.jsonl");
		WorkflowItemWriter writer = store(target).writer("write", ConflictPolicy.SKIP);
		ExecutionContext context = new ExecutionContext();
		writer.open(context);

		// when
		writer.write(Chunk.of(entry("gone", "{}", System.currentTimeMillis() - 1), entry("kept", "{}", IN_A_YEAR)));
		writer.update(context);

		// then
		assertThat(writer.counts()).isEqualTo(new WorkflowItemWriter.WriteCounts(1, 0, 1));
		assertThat(context.getLong("write.expired")).isEqualTo(1);
		writer.close();
	}

	@Test
	void shouldWriteASnapshotOfNoStatesThatReadsBackAsEmpty() throws Exception {
		// given
		Path target = this.dir.resolve("none.jsonl");
		WorkflowItemWriter writer = store(target).writer("write", ConflictPolicy.SKIP);
		writer.open(new ExecutionContext());

		// when: nothing to write
		writer.afterStep(completed());
		writer.close();

		// then: not an empty file, which would read as one cut off before its first byte
		assertThat(Files.readString(target)).isEqualTo("\n");
		SnapshotItemReader reader = new SnapshotItemReader("read", target, 1024);
		reader.open(new ExecutionContext());
		assertThat(reader.read()).isNull();
		reader.close();
	}

	private SnapshotWorkflowStore store(Path target) {
		return new SnapshotWorkflowStore(target, properties().migration().maxRecordSize());
	}

	private static StepExecution completed() {
		StepExecution stepExecution = MetaDataInstanceFactory.createStepExecution();
		stepExecution.setStatus(BatchStatus.COMPLETED);
		return stepExecution;
	}

	private static WorkflowEntry entry(String threadId, String json, long expireAt) {
		return new WorkflowEntry(threadId, utf8(json), expireAt);
	}

}
