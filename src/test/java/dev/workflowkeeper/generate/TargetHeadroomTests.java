package dev.workflowkeeper.generate;

import java.util.Map;

import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreUri;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * {@code generate} refuses, before writing anything, a count its Redis has no room for.
 */
class TargetHeadroomTests {

	private static final StoreUri REDIS = StoreUri.parse("redis://:hunter2@127.0.0.1:6379/0");

	private static final long MB = 1024 * 1024;

	@Test
	void shouldAcceptWhatFitsUnderMaxmemory() {
		// 1,000 states ≈ 3.2 MB into 100 MB with 10 MB used
		assertThatNoException().isThrownBy(
				() -> TargetHeadroom.checkRedis(Map.of("usedMemory", 10 * MB, "maxmemory", 100 * MB), REDIS, 1_000));
	}

	@Test
	void shouldRefuseWhatWouldPassMaxmemoryInOneLineWithoutThePassword() {
		assertThatExceptionOfType(StoreAccessException.class).isThrownBy(
				() -> TargetHeadroom.checkRedis(Map.of("usedMemory", 10 * MB, "maxmemory", 100 * MB), REDIS, 100_000))
			.withMessage("100,000 states need about 305.2 MiB, and Redis at redis://:****@127.0.0.1:6379/0 has "
					+ "90.0 MiB free (maxmemory 100.0 MiB, used 10.0 MiB): lower --count or raise maxmemory");
	}

	@Test
	void shouldMeasureAgainstTheMachineWithoutMaxmemory() {
		Map<String, Object> server = Map.of("usedMemory", 10 * MB, "maxmemory", 0L, "totalSystemMemory", 1024 * MB);
		assertThatNoException().isThrownBy(() -> TargetHeadroom.checkRedis(server, REDIS, 100_000));
		assertThatExceptionOfType(StoreAccessException.class)
			.isThrownBy(() -> TargetHeadroom.checkRedis(server, REDIS, 1_000_000))
			.withMessageContaining("has no maxmemory and 1.0 GiB of memory on its machine");
	}

}
