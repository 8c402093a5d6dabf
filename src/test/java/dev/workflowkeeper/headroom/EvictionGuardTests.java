package dev.workflowkeeper.headroom;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.headroom.EvictionGuard.TargetMemoryExceededException;
import org.junit.jupiter.api.Test;

import org.springframework.batch.infrastructure.item.Chunk;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * The in-run guard stops a step once the target's memory passes its limit, or once it has
 * evicted a key since the step began.
 */
class EvictionGuardTests {

	private static final long MB = 1024 * 1024;

	private final Map<String, Object> server = new HashMap<>(
			Map.of("usedMemory", 10 * MB, "maxmemory", 64 * MB, "evictedKeys", 7L, "maxmemoryPolicy", "allkeys-lru"));

	private final EvictionGuard guard = new EvictionGuard(() -> this.server, "redis://:****@127.0.0.1:6390/0",
			TargetMemoryLimit.parse("90%"));

	private final Chunk<Object> chunk = new Chunk<>(1, 2, 3);

	@Test
	void shouldLetChunksThroughWhileUnderTheLimit() {
		this.guard.beforeStep(null);
		this.guard.beforeChunk(this.chunk);
		this.server.put("usedMemory", 57 * MB);
		assertThatNoException().isThrownBy(() -> this.guard.afterChunk(this.chunk));
	}

	@Test
	void shouldStopOnceUsedMemoryPassesTheLimit() {
		this.guard.beforeStep(null);
		this.server.put("usedMemory", 58 * MB);
		assertThatExceptionOfType(TargetMemoryExceededException.class)
			.isThrownBy(() -> this.guard.afterChunk(this.chunk))
			.withMessage("stopped before eviction: target redis://:****@127.0.0.1:6390/0 uses 58.0 MiB of 64.0 MiB"
					+ " after a chunk of 3 states, past 90% of its maxmemory; raise maxmemory or"
					+ " keeper.migration.max-target-memory");
	}

	@Test
	void shouldStopOnceTheTargetEvictedAKeySinceTheStepBegan() {
		// evictions before the step are the service's own business
		this.guard.beforeStep(null);
		this.server.put("evictedKeys", 8L);
		assertThatExceptionOfType(TargetMemoryExceededException.class)
			.isThrownBy(() -> this.guard.afterChunk(this.chunk))
			.withMessageStartingWith(
					"stopped before more eviction: target redis://:****@127.0.0.1:6390/0 evicted 1 keys");
	}

	@Test
	void shouldRefuseTheFirstChunkOfAStepThatHasNoRoomBeforeWritingIt() {
		this.server.put("usedMemory", 60 * MB);
		this.guard.beforeStep(null);
		assertThatExceptionOfType(TargetMemoryExceededException.class)
			.isThrownBy(() -> this.guard.beforeChunk(this.chunk))
			.withMessageContaining("before writing");
	}

	@Test
	void shouldStopOnceOneMasterOfAClusterPassesItsLimitThoughTheClusterIsUnderIts() {
		// given: three masters of 64 MB, 100 MB used of 192 MB in all
		Map<String, Object> full = new HashMap<>(
				Map.of("address", "127.0.0.1:7001", "usedMemory", 20 * MB, "maxmemory", 64 * MB));
		Map<String, Object> cluster = new HashMap<>(Map.of("usedMemory", 100 * MB, "maxmemory", 192 * MB, "evictedKeys",
				0L, "masters", List.of(Map.of("address", "127.0.0.1:7000", "usedMemory", 40 * MB, "maxmemory", 64 * MB),
						full, Map.of("address", "127.0.0.1:7002", "usedMemory", 40 * MB, "maxmemory", 64 * MB))));
		EvictionGuard guard = new EvictionGuard(() -> cluster, "redis://127.0.0.1:7000/0",
				TargetMemoryLimit.parse("90%"));
		guard.beforeStep(null);
		guard.beforeChunk(this.chunk);

		// when: one master fills up
		full.put("usedMemory", 58 * MB);

		// then
		assertThatExceptionOfType(TargetMemoryExceededException.class).isThrownBy(() -> guard.afterChunk(this.chunk))
			.withMessageStartingWith(
					"stopped before eviction: target redis://127.0.0.1:7000/0 (master 127.0.0.1:7001) uses 58.0 MiB");
	}

	@Test
	void shouldCheckNothingWhenOff() {
		EvictionGuard none = EvictionGuard.none();
		none.beforeStep(null);
		assertThatNoException().isThrownBy(() -> none.afterChunk(this.chunk));
	}

}
