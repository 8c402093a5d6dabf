package dev.workflowkeeper.purge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeyValue;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.snapshot.JsonLinesEncoder;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;
import org.springframework.batch.infrastructure.item.ItemStreamWriter;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Deletes the states judged stale, after archiving them: the chunk's records are written
 * and forced to disk ({@link ArchiveFile}) before any of its keys is deleted, then each
 * key is deleted only if its value is still exactly the judged one (compare-and-delete),
 * so a workflow the service touched meanwhile survives. The archive may therefore hold a
 * few states that were not deleted; restoring it with the default {@code skip} policy
 * leaves those untouched. Values that are not JSON objects (deleted only when asked) go
 * to a second archive, base64-encoded.
 * <p>
 * Restartable without losing a record: the archives' committed positions are kept in the
 * ExecutionContext; on a restart the records an interrupted chunk wrote past them are
 * kept, and each of their keys is looked up: a state that is gone was deleted by the
 * interrupted run and is counted ({@code deleted}, {@code deletedBeforeRestart}); one
 * still there is judged again, and its record is reused rather than written twice when it
 * is deleted with the same value. A record written by a chunk that rolled back is reused
 * the same way. Not thread-safe.
 */
class PurgeItemWriter extends ItemStreamSupport implements ItemStreamWriter<KeyInfo> {

	private static final Log logger = LogFactory.getLog(PurgeItemWriter.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final MaintainableStore store;

	private final String keyPrefix;

	private final ArchiveFile archive;

	private final ArchiveFile rawArchive;

	private final StepCounters counters;

	private final Instant runStarted;

	/** Records an interrupted chunk left whose states were still there on restart. */
	private final Set<String> reusable = new HashSet<>();

	/** Records written since the last commit: a rolled-back chunk written again. */
	private final Set<String> uncommitted = new HashSet<>();

	/**
	 * @param keyPrefix the store's key prefix, which the archive's thread ids follow
	 * @param archive where the states go before they are deleted, or {@code null} for
	 * none
	 * @param rawArchive where values that are not JSON objects go before they are deleted
	 * (base64, with their key and expiry), or {@code null} for none
	 * @param runStarted when the run's first execution was created: an archive of the
	 * same name older than that, with nothing committed, is an earlier history's
	 */
	PurgeItemWriter(MaintainableStore store, String keyPrefix, ArchiveFile archive, ArchiveFile rawArchive,
			StepCounters counters, Instant runStarted) {
		this.store = store;
		this.keyPrefix = keyPrefix;
		this.archive = archive;
		this.rawArchive = rawArchive;
		this.counters = counters;
		this.runStarted = runStarted;
		setName("purgeArchive");
	}

	/**
	 * Opens the archives where the last committed chunk left them, keeping and accounting
	 * for whatever an interrupted chunk wrote past that. Registered after the step's
	 * counters, which are open by now.
	 */
	@Override
	public void open(ExecutionContext executionContext) {
		if (this.archive != null) {
			recover(this.archive, "archive", executionContext, (line) -> this.keyPrefix + firstString(line));
		}
		if (this.rawArchive != null) {
			recover(this.rawArchive, "rawArchive", executionContext, PurgeItemWriter::firstString);
		}
	}

	private void recover(ArchiveFile file, String name, ExecutionContext executionContext,
			Function<String, String> keyOf) {
		ArchiveFile.Recovery recovery = file.open(executionContext.getLong(getExecutionContextKey(name + ".offset"), 0),
				executionContext.getLong(getExecutionContextKey(name + ".records"), 0), this.runStarted);
		if (recovery.earlier() != null) {
			logger.warn("The purge archive " + file.file() + " was there before this run began (from an earlier "
					+ "history database): kept as " + recovery.earlier());
		}
		if (recovery.torn() != null) {
			logger.warn("The purge archive " + file.file() + " ended in a record cut short by the interrupted run ("
					+ recovery.tornBytes() + " bytes, moved to " + recovery.torn()
					+ "); none of its states had been deleted");
		}
		List<String> lines = recovery.lines();
		if (lines.isEmpty()) {
			return;
		}
		List<Boolean> exist = this.store.exist(lines.stream().map(keyOf).toList());
		long gone = 0;
		for (int i = 0; i < lines.size(); i++) {
			if (exist.get(i)) {
				this.reusable.add(identity(lines.get(i)));
			}
			else {
				gone++;
			}
		}
		this.counters.add(PurgeFigures.ARCHIVED, lines.size());
		this.counters.add(PurgeFigures.DELETED, gone);
		this.counters.add(PurgeFigures.DELETED_BEFORE_RESTART, gone);
		logger.info("Resuming the purge: kept the " + lines.size() + " records the interrupted run wrote to "
				+ file.file() + "; " + gone + " of their states are gone (counted as deleted), " + (lines.size() - gone)
				+ " are still there and judged again");
	}

	@Override
	public void write(Chunk<? extends KeyInfo> chunk) throws Exception {
		if (this.archive != null) {
			List<String> lines = new ArrayList<>(chunk.size());
			List<String> rawLines = new ArrayList<>();
			for (KeyInfo key : chunk) {
				if (key.fields() != null) {
					keep(line(key), lines);
				}
				else if (this.rawArchive != null) {
					keep(rawLine(key), rawLines);
				}
			}
			// durable before anything of the chunk is deleted
			this.archive.append(lines);
			if (this.rawArchive != null) {
				this.rawArchive.append(rawLines);
			}
			this.counters.add(PurgeFigures.ARCHIVED, lines.size() + rawLines.size());
		}
		List<KeyValue> judged = new ArrayList<>(chunk.size());
		for (KeyInfo key : chunk) {
			judged.add(new KeyValue(key.key(), key.value()));
		}
		for (Boolean deleted : this.store.deleteIfUnchanged(judged)) {
			this.counters.increment(deleted ? PurgeFigures.DELETED : PurgeFigures.CHANGED_MEANWHILE);
		}
	}

	/** Adds a record unless the archive holds it already from an earlier attempt. */
	private void keep(String line, List<String> lines) {
		String identity = identity(line);
		if (this.reusable.remove(identity) || !this.uncommitted.add(identity)) {
			return;
		}
		lines.add(line);
	}

	@Override
	public void update(ExecutionContext executionContext) {
		if (this.archive != null) {
			executionContext.putLong(getExecutionContextKey("archive.offset"), this.archive.position());
			executionContext.putLong(getExecutionContextKey("archive.records"), this.archive.records());
		}
		if (this.rawArchive != null) {
			executionContext.putLong(getExecutionContextKey("rawArchive.offset"), this.rawArchive.position());
			executionContext.putLong(getExecutionContextKey("rawArchive.records"), this.rawArchive.records());
		}
		this.uncommitted.clear();
	}

	@Override
	public void close() {
		if (this.archive != null) {
			this.archive.close();
		}
		if (this.rawArchive != null) {
			this.rawArchive.close();
		}
	}

	private static String line(KeyInfo key) throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream(key.value().length + 128);
		try {
			JsonLinesEncoder.write(out, new WorkflowEntry(key.threadId(), key.value(), key.expireAtMillis()));
		}
		catch (IllegalArgumentException ex) {
			throw new RejectedRecordException("the purge archive", key.threadId(), ex.getMessage());
		}
		String line = out.toString(StandardCharsets.UTF_8);
		return line.substring(0, line.length() - 1);
	}

	private static String rawLine(KeyInfo key) {
		Map<String, Object> line = new LinkedHashMap<>();
		line.put("key", key.key());
		line.put("valueBase64", Base64.getEncoder().encodeToString(key.value()));
		line.put("expireAtMillis", key.expireAtMillis());
		return JSON.writeValueAsString(line);
	}

	/**
	 * A record without its expiry, which is last in both archives: the same state judged
	 * again has the same identity, though its expiry may read a millisecond apart.
	 */
	private static String identity(String line) {
		int expiry = line.lastIndexOf(",\"expire");
		return (expiry > 0) ? line.substring(0, expiry) : line;
	}

	/** The first field of a record: the thread id, or the raw archive's key. */
	private static String firstString(String line) {
		try (JsonParser parser = JSON.createParser(line)) {
			if (parser.nextToken() == JsonToken.START_OBJECT && parser.nextToken() == JsonToken.PROPERTY_NAME
					&& parser.nextToken() == JsonToken.VALUE_STRING) {
				return parser.getString();
			}
		}
		throw new IllegalStateException("not a record of the purge archive: "
				+ line.substring(0, Math.min(line.length(), 80)) + "; move the archive aside to resume");
	}

}
