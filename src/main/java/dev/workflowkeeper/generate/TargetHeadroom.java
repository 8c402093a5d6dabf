package dev.workflowkeeper.generate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import dev.workflowkeeper.cli.HumanUnits;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStore;

/**
 * Whether a target can hold the states a {@code generate} run would write, checked before
 * it writes any: a Redis against its {@code maxmemory} (or, without one, 90% of its
 * machine's memory, {@code total_system_memory}) less what it uses already; a snapshot
 * against the free space of its disk. Redis's figure is measured (about 3.2 KB a state,
 * key and overhead included), a file's is the uncompressed size; memory: is not checked.
 */
final class TargetHeadroom {

	/** What one generated state costs a Redis, measured with INFO memory. */
	static final long REDIS_BYTES_PER_STATE = 3_200;

	/** What one generated state takes in an uncompressed snapshot file. */
	static final long FILE_BYTES_PER_STATE = 2_700;

	/** The share of the machine's memory a Redis without maxmemory may fill. */
	static final double SYSTEM_MEMORY_SHARE = 0.9;

	private TargetHeadroom() {
	}

	/**
	 * @throws StoreAccessException when the target would not hold {@code count} more
	 * states
	 */
	static void check(WorkflowStore target, StoreUri uri, long count) {
		switch (uri.kind()) {
			case REDIS -> target.maintenance().ifPresent((store) -> checkRedis(store.serverInfo(), uri, count));
			case SNAPSHOT -> checkDisk(uri.snapshotPath(), count);
			case MEMORY -> {
			}
		}
	}

	static void checkRedis(Map<String, Object> server, StoreUri uri, long count) {
		long used = number(server.get("usedMemory"));
		long maxmemory = number(server.get("maxmemory"));
		long system = number(server.get("totalSystemMemory"));
		long needed = Math.multiplyExact(count, REDIS_BYTES_PER_STATE);
		if (maxmemory > 0) {
			if (used + needed > maxmemory) {
				throw new StoreAccessException(String.format(
						"%,d states need about %s, and Redis at %s has %s free (maxmemory %s, used %s): lower --count or raise maxmemory",
						count, HumanUnits.bytes(needed), uri.masked(), HumanUnits.bytes(Math.max(0, maxmemory - used)),
						HumanUnits.bytes(maxmemory), HumanUnits.bytes(used)));
			}
		}
		else if (system > 0) {
			long limit = (long) (system * SYSTEM_MEMORY_SHARE);
			if (used + needed > limit) {
				throw new StoreAccessException(String.format(
						"%,d states need about %s, and Redis at %s has no maxmemory and %s of memory on its machine (used %s): lower --count",
						count, HumanUnits.bytes(needed), uri.masked(), HumanUnits.bytes(system),
						HumanUnits.bytes(used)));
			}
		}
	}

	private static void checkDisk(Path path, long count) {
		Path dir = path.toAbsolutePath().getParent();
		while (dir != null && !Files.isDirectory(dir)) {
			dir = dir.getParent();
		}
		if (dir == null) {
			return;
		}
		long needed = Math.multiplyExact(count, FILE_BYTES_PER_STATE);
		try {
			long free = Files.getFileStore(dir).getUsableSpace();
			if (needed > free) {
				throw new StoreAccessException(String.format(
						"%,d states need about %s, and the disk of %s has %s free: lower --count or give another path",
						count, HumanUnits.bytes(needed), dir, HumanUnits.bytes(free)));
			}
		}
		catch (IOException ex) {
			// the write will tell
		}
	}

	private static long number(Object value) {
		return (value instanceof Number number) ? number.longValue() : 0;
	}

}
