package dev.workflowkeeper.headroom;

import java.util.List;
import java.util.Map;

import dev.workflowkeeper.headroom.TargetHeadroom.Addition;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreUri;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNoException;

/**
 * A run into a Redis is refused, before it writes anything, when it would push the Redis
 * past its limit; the line tells the figures and never the password.
 */
class TargetHeadroomTests {

	private static final StoreUri REDIS = StoreUri.parse("redis://:hunter2@127.0.0.1:6390/0");

	private static final long MB = 1024 * 1024;

	private static final TargetMemoryLimit DEFAULT = TargetMemoryLimit.parse("90%");

	@Test
	void shouldAcceptWhatStaysUnderNinetyPerCentOfMaxmemory() {
		// 10 MB used + 47 MB added = 57 MB, under 57.6 MB (90% of 64 MB)
		assertThatNoException().isThrownBy(() -> check(Map.of("usedMemory", 10 * MB, "maxmemory", 64 * MB),
				new Addition(10_000, 47 * MB), DEFAULT));
	}

	@Test
	void shouldRefuseWhatWouldPassNinetyPerCentOfMaxmemoryInOneLineWithTheFiguresAndNoPassword() {
		// 41 MB used + 20 MB added = 61 MB: under maxmemory, but past 90% of it
		assertThatExceptionOfType(StoreAccessException.class)
			.isThrownBy(() -> check(Map.of("usedMemory", 41 * MB, "maxmemory", 64 * MB), new Addition(200_000, 20 * MB),
					DEFAULT))
			.withMessage("target redis://:****@127.0.0.1:6390/0 would pass 90% of its maxmemory: it uses 41.0 MiB"
					+ " of 64.0 MiB and the migration adds about 20.0 MiB (200,000 states); raise maxmemory or"
					+ " keeper.migration.max-target-memory, or migrate fewer states");
	}

	@Test
	void shouldJudgeEachMasterOfAClusterWithItsShareOfTheAddition() {
		// given: three masters of 64 MB; the fullest uses 40 MB, the cluster 60 of 192
		Map<String, Object> cluster = Map.of("usedMemory", 60 * MB, "maxmemory", 192 * MB, "masters",
				List.of(master("127.0.0.1:7000", 10 * MB), master("127.0.0.1:7001", 40 * MB),
						master("127.0.0.1:7002", 10 * MB)));

		// then: 30 MB over three masters fits (40 + 10 < 57.6); 60 MB does not (40 + 20)
		assertThatNoException().isThrownBy(() -> check(cluster, new Addition(30_000, 30 * MB), DEFAULT));
		assertThatExceptionOfType(StoreAccessException.class)
			.isThrownBy(() -> check(cluster, new Addition(60_000, 60 * MB), DEFAULT))
			.withMessageStartingWith("target redis://:****@127.0.0.1:6390/0 (master 127.0.0.1:7001) would pass 90%"
					+ " of its maxmemory: it uses 40.0 MiB of 64.0 MiB and the migration adds about 20.0 MiB"
					+ " (20,000 states)");
	}

	private static Map<String, Object> master(String address, long used) {
		return Map.of("address", address, "usedMemory", used, "maxmemory", 64 * MB);
	}

	@Test
	void shouldMeasureAGivenSizeAndNeverAboveMaxmemory() {
		Map<String, Object> server = Map.of("usedMemory", 10 * MB, "maxmemory", 64 * MB);
		assertThatExceptionOfType(StoreAccessException.class)
			.isThrownBy(() -> check(server, new Addition(1_000, 15 * MB), TargetMemoryLimit.parse("20MB")))
			.withMessageContaining("would pass its limit of 20.0 MiB (keeper.migration.max-target-memory)");
		// a size above maxmemory still stops at maxmemory
		assertThatExceptionOfType(StoreAccessException.class)
			.isThrownBy(() -> check(server, new Addition(1_000, 60 * MB), TargetMemoryLimit.parse("2GB")))
			.withMessageContaining("would pass its maxmemory");
		assertThatNoException()
			.isThrownBy(() -> check(server, new Addition(1_000, 60 * MB), TargetMemoryLimit.parse("off")));
	}

	@Test
	void shouldMeasureAgainstTheMachineWithoutMaxmemory() {
		Map<String, Object> server = Map.of("usedMemory", 10 * MB, "maxmemory", 0L, "totalSystemMemory", 1024 * MB);
		assertThatNoException().isThrownBy(() -> check(server, new Addition(100_000, 900 * MB), DEFAULT));
		assertThatExceptionOfType(StoreAccessException.class)
			.isThrownBy(() -> check(server, new Addition(1_000_000, 3_000 * MB), DEFAULT))
			.withMessageContaining(
					"would pass 90% of its machine's memory (no maxmemory): it uses 10.0 MiB of 1.0 GiB");
	}

	@Test
	void shouldCostStatesAsARedisKeepsThem() {
		// measured: 20,000 keys of 2,547 bytes of key and value took 2,943 bytes each
		assertThat(TargetHeadroom.redisBytes(20_000, 20_000L * 2_547) / 20_000).isBetween(2_850L, 3_050L);
		// and 20,000 of 350 bytes, 511 bytes each
		assertThat(TargetHeadroom.redisBytes(20_000, 20_000L * 350) / 20_000).isBetween(480L, 540L);
	}

	private static void check(Map<String, Object> server, Addition addition, TargetMemoryLimit limit) {
		TargetHeadroom.checkRedis(server, REDIS, addition, limit, "the migration", "migrate fewer states");
	}

}
