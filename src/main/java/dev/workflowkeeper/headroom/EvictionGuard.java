package dev.workflowkeeper.headroom;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import dev.workflowkeeper.cli.HumanUnits;
import dev.workflowkeeper.store.StoreAccessException;

import org.springframework.batch.core.listener.ChunkListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.Chunk;

/**
 * Stops a step that writes into a Redis before the Redis starts evicting keys: after each
 * chunk is written it reads the server's {@code used_memory} and {@code evicted_keys}
 * (one {@code INFO}, never more than once a chunk) and fails the step with a
 * {@link TargetMemoryExceededException} when {@code used_memory} has passed the
 * {@link TargetMemoryLimit}, or when the server has evicted keys since the step began (a
 * policy such as {@code allkeys-lru} would drop the service's live states). The chunk
 * that tripped the guard is rolled back in the job history, and every write is
 * idempotent: once {@code maxmemory} is raised, the same command resumes the run and
 * loses nothing. The check before the first chunk refuses a resumed run that still has no
 * room before it writes.
 * <p>
 * One guard per step execution (step scoped); not thread-safe.
 */
public class EvictionGuard implements StepExecutionListener, ChunkListener<Object, Object> {

	private final Supplier<Map<String, Object>> serverInfo;

	private final String target;

	private final TargetMemoryLimit limit;

	private long evictedAtStart = -1;

	private boolean first = true;

	/**
	 * @param serverInfo the target's {@code serverInfo()}
	 * @param target the target's masked address, for the message
	 * @param limit how far it may be filled
	 */
	public EvictionGuard(Supplier<Map<String, Object>> serverInfo, String target, TargetMemoryLimit limit) {
		this.serverInfo = serverInfo;
		this.target = target;
		this.limit = limit;
	}

	/** A guard that checks nothing: for a dry run, or a target that is not a Redis. */
	public static EvictionGuard none() {
		return new EvictionGuard(Map::of, "", TargetMemoryLimit.OFF);
	}

	@Override
	public void beforeStep(StepExecution stepExecution) {
		if (!this.limit.off()) {
			this.evictedAtStart = TargetMemoryLimit.number(this.serverInfo.get().get("evictedKeys"));
		}
	}

	@Override
	public void beforeChunk(Chunk<Object> chunk) {
		if (this.first) {
			this.first = false;
			check("before writing");
		}
	}

	@Override
	public void afterChunk(Chunk<Object> chunk) {
		check("after a chunk of " + HumanUnits.count(chunk.size()) + " states");
	}

	private void check(String when) {
		if (this.limit.off()) {
			return;
		}
		Map<String, Object> info = this.serverInfo.get();
		long evicted = TargetMemoryLimit.number(info.get("evictedKeys"));
		if (this.evictedAtStart >= 0 && evicted > this.evictedAtStart) {
			throw new TargetMemoryExceededException(String.format(
					"stopped before more eviction: target %s evicted %,d keys since the step began (policy %s, used %s of %s maxmemory); raise maxmemory",
					this.target, evicted - this.evictedAtStart, info.getOrDefault("maxmemoryPolicy", "unknown"),
					HumanUnits.bytes(TargetMemoryLimit.number(info.get("usedMemory"))),
					HumanUnits.bytes(TargetMemoryLimit.number(info.get("maxmemory")))));
		}
		// each master of a Cluster is judged on its own: one full master evicts
		List<Map<String, Object>> servers = TargetMemoryLimit.servers(info);
		for (Map<String, Object> server : servers) {
			String target = (servers.size() == 1) ? this.target
					: this.target + " (master " + server.get("address") + ")";
			checkServer(server, target, when);
		}
	}

	private void checkServer(Map<String, Object> server, String target, String when) {
		long used = TargetMemoryLimit.number(server.get("usedMemory"));
		long allowed = this.limit.limit(server);
		if (allowed >= 0 && used > allowed) {
			long capacity = TargetMemoryLimit.capacity(server);
			throw new TargetMemoryExceededException(
					String.format("stopped before eviction: target %s uses %s of %s %s, past %s; raise maxmemory or %s",
							target, HumanUnits.bytes(used), HumanUnits.bytes((capacity > 0) ? capacity : allowed), when,
							this.limit.describe(server), TargetMemoryLimit.SETTING));
		}
	}

	/**
	 * A Redis target has no room left, or began to evict: the step stopped, resumable.
	 */
	public static class TargetMemoryExceededException extends StoreAccessException {

		TargetMemoryExceededException(String message) {
			super(message);
		}

	}

}
