package dev.workflowkeeper.headroom;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.cli.HumanUnits;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStore;

/**
 * Whether a target can take what a run will write, checked before it writes anything: a
 * Redis against its {@link TargetMemoryLimit}
 * ({@code keeper.migration.max-target-memory}, by default 90% of its {@code maxmemory})
 * less the {@code used_memory} it has already, so that the run never pushes it into
 * eviction; a snapshot against the free space of its disk. The memory: store is not
 * checked: it lives in the worker's own heap.
 * <p>
 * What a state costs a Redis was measured once on Redis 7.0 (jemalloc): 20,000 string
 * keys with a TTL, of 200–3,000 bytes each, written into an empty database, the growth of
 * {@code used_memory} divided by the keys: about {@value #SIZE_CLASS_PERCENT}% of a key's
 * and value's bytes (jemalloc's size classes round each allocation up) plus
 * {@value #BYTES_PER_KEY} bytes (the key object, its entries in the keyspace and the
 * expiry tables, their share of the hash tables).
 */
public final class TargetHeadroom {

	/** The bytes a Redis allocates for a key and value of 100 bytes, in per cent. */
	static final long SIZE_CLASS_PERCENT = 111;

	/** What a key costs a Redis beyond its key's and value's bytes, rounded. */
	static final long BYTES_PER_KEY = 128;

	private TargetHeadroom() {
	}

	/**
	 * About what {@code states} string keys of {@code rawBytes} key and value bytes in
	 * all cost a Redis.
	 */
	public static long redisBytes(long states, long rawBytes) {
		return Math.addExact(Math.multiplyExact(rawBytes, SIZE_CLASS_PERCENT) / 100,
				Math.multiplyExact(states, BYTES_PER_KEY));
	}

	/**
	 * Checks that a Redis target stays within {@code limit} once it holds
	 * {@code addition} more; any other target passes.
	 * @param what who writes, for the message ({@code the migration})
	 * @param fewer how to ask for less, for the message ({@code migrate fewer states})
	 * @throws StoreAccessException with the figures, in one line
	 */
	public static void checkMemory(WorkflowStore target, StoreUri uri, Addition addition, TargetMemoryLimit limit,
			String what, String fewer) {
		if (uri.kind() == StoreUri.Kind.REDIS && !limit.off()) {
			target.maintenance()
				.ifPresent((store) -> checkRedis(store.serverInfo(), uri, addition, limit, what, fewer));
		}
	}

	/**
	 * Checks a Redis's {@code serverInfo()} as {@link #checkMemory} does; of a Cluster,
	 * each master with its share of the addition.
	 * @throws StoreAccessException with the figures, in one line
	 */
	public static void checkRedis(Map<String, Object> server, StoreUri uri, Addition addition, TargetMemoryLimit limit,
			String what, String fewer) {
		List<Map<String, Object>> servers = TargetMemoryLimit.servers(server);
		if (servers.size() == 1) {
			checkServer(server, uri.masked(), addition, limit, what, fewer);
			return;
		}
		// a Cluster spreads the keys evenly over its masters by their hash: each takes
		// its share, and each must have room for it
		Addition share = new Addition(ceilDiv(addition.states(), servers.size()),
				ceilDiv(addition.bytes(), servers.size()));
		for (Map<String, Object> master : servers) {
			checkServer(master, uri.masked() + " (master " + master.get("address") + ")", share, limit, what, fewer);
		}
	}

	private static long ceilDiv(long value, int parts) {
		return (value + parts - 1) / parts;
	}

	private static void checkServer(Map<String, Object> server, String target, Addition addition,
			TargetMemoryLimit limit, String what, String fewer) {
		long allowed = limit.limit(server);
		if (allowed < 0 || addition.states() <= 0) {
			return;
		}
		long used = TargetMemoryLimit.number(server.get("usedMemory"));
		if (used + addition.bytes() <= allowed) {
			return;
		}
		long capacity = TargetMemoryLimit.capacity(server);
		throw new StoreAccessException(String.format(
				"target %s would pass %s: it uses %s of %s and %s adds about %s (%,d states); raise maxmemory or %s, or %s",
				target, limit.describe(server), HumanUnits.bytes(used),
				HumanUnits.bytes((capacity > 0) ? capacity : allowed), what, HumanUnits.bytes(addition.bytes()),
				addition.states(), TargetMemoryLimit.SETTING, fewer));
	}

	/**
	 * Checks that the disk of a snapshot target has room for {@code bytes}.
	 * @throws StoreAccessException when it has not, in one line
	 */
	public static void checkDisk(Path path, long states, long bytes, String fewer) {
		Path dir = path.toAbsolutePath().getParent();
		while (dir != null && !Files.isDirectory(dir)) {
			dir = dir.getParent();
		}
		if (dir == null) {
			return;
		}
		try {
			long free = Files.getFileStore(dir).getUsableSpace();
			if (bytes > free) {
				throw new StoreAccessException(
						String.format("%,d states need about %s, and the disk of %s has %s free: %s", states,
								HumanUnits.bytes(bytes), dir, HumanUnits.bytes(free), fewer));
			}
		}
		catch (IOException ex) {
			// the write will tell
		}
	}

	/**
	 * What a run will add to a target.
	 *
	 * @param states how many states, at most
	 * @param bytes about what they cost the target
	 */
	public record Addition(long states, long bytes) {

		/** Nothing to add. */
		public static final Addition NONE = new Addition(0, 0);

	}

}
