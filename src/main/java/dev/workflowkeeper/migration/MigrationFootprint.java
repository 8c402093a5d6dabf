package dev.workflowkeeper.migration;

import java.nio.charset.StandardCharsets;
import java.util.List;

import dev.workflowkeeper.headroom.TargetHeadroom.Addition;
import dev.workflowkeeper.headroom.TargetHeadroom;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowStore;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * What a migration will add to a Redis target, estimated from its source before it runs:
 * the source's count of states ({@link WorkflowStore#estimateCount()}: DBSIZE for a
 * Redis, the states of the memory store, a snapshot's records extrapolated from its first
 * megabytes) times the mean key and value of the first {@value #SAMPLE} states read, less
 * the share of them the filters leave behind, costed as a Redis keeps them
 * ({@link TargetHeadroom#redisBytes}). States the target already holds are counted too:
 * the estimate errs on the side of room.
 */
final class MigrationFootprint {

	/** States read from the start of the source to learn their mean size. */
	static final int SAMPLE = 1_000;

	private MigrationFootprint() {
	}

	/**
	 * Reads the first states of {@code source} (opening each of its readers, so that a
	 * wrong address or an unreadable file fails here; a record that cannot be read ends
	 * the sample, for the run to tell) and estimates what copying all of them under
	 * {@code targetPrefix} adds to a Redis.
	 */
	static Addition estimate(WorkflowStore source, String targetPrefix, MigrationParameters parameters) {
		List<ItemStreamReader<WorkflowEntry>> readers = source.readers("preflight");
		int perReader = Math.max(1, SAMPLE / Math.max(1, readers.size()));
		long sampled = 0;
		long kept = 0;
		long keptBytes = 0;
		long prefixBytes = targetPrefix.getBytes(StandardCharsets.UTF_8).length;
		for (ItemStreamReader<WorkflowEntry> reader : readers) {
			reader.open(new ExecutionContext());
			try {
				for (int i = 0; i < perReader; i++) {
					WorkflowEntry entry;
					try {
						entry = reader.read();
					}
					catch (RejectedRecordException ex) {
						continue;
					}
					catch (Exception ex) {
						// a broken input: the run fails there, in its own words and with
						// its own exit code; the sample so far is all there is
						break;
					}
					if (entry == null) {
						break;
					}
					sampled++;
					StateFields fields = StateFields.read(entry.value());
					if (fields != null && parameters.filtersOut(fields.status(), fields.terminal())) {
						continue;
					}
					kept++;
					keptBytes += entry.value().length + prefixBytes
							+ entry.threadId().getBytes(StandardCharsets.UTF_8).length;
				}
			}
			finally {
				reader.close();
			}
		}
		if (kept == 0) {
			return Addition.NONE;
		}
		long count = Math.max(source.estimateCount(), sampled);
		long states = Math.round((double) count * kept / sampled);
		long rawBytes = Math.round((double) keptBytes / kept * states);
		return new Addition(states, TargetHeadroom.redisBytes(states, rawBytes));
	}

}
