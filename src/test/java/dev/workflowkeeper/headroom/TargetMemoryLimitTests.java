package dev.workflowkeeper.headroom;

import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** {@code keeper.migration.max-target-memory}: a share, a size, or off. */
class TargetMemoryLimitTests {

	private static final long MB = 1024 * 1024;

	@Test
	void shouldTakeAShareOfMaxmemoryOrElseOfTheMachine() {
		TargetMemoryLimit limit = TargetMemoryLimit.parse("90%");
		assertThat(limit.limit(Map.of("maxmemory", 100 * MB))).isEqualTo(90 * MB);
		assertThat(limit.limit(Map.of("maxmemory", 0L, "totalSystemMemory", 1000 * MB))).isEqualTo(900 * MB);
		assertThat(limit.limit(Map.of("maxmemory", 0L))).isEqualTo(-1);
		assertThat(TargetMemoryLimit.parse(" 75.5% ").describe(Map.of("maxmemory", MB)))
			.isEqualTo("75.5% of its maxmemory");
	}

	@Test
	void shouldTakeASizeCappedByMaxmemory() {
		TargetMemoryLimit limit = TargetMemoryLimit.parse("2GB");
		assertThat(limit.limit(Map.of("maxmemory", 0L))).isEqualTo(2048 * MB);
		assertThat(limit.limit(Map.of("maxmemory", 64 * MB))).isEqualTo(64 * MB);
		assertThat(TargetMemoryLimit.parse("512MB").limit(Map.of("maxmemory", 4096 * MB))).isEqualTo(512 * MB);
	}

	@Test
	void shouldTurnOffOnlyWhenAskedTo() {
		assertThat(TargetMemoryLimit.parse("off").off()).isTrue();
		assertThat(TargetMemoryLimit.parse("off").limit(Map.of("maxmemory", MB))).isEqualTo(-1);
		assertThat(TargetMemoryLimit.parse("100%").off()).isFalse();
	}

	@Test
	void shouldRefuseOtherValuesInOneLine() {
		for (String value : new String[] { "0%", "101%", "lots", "", "-5MB", "0" }) {
			assertThatIllegalArgumentException().isThrownBy(() -> TargetMemoryLimit.parse(value))
				.withMessageStartingWith("keeper.migration.max-target-memory must be a share of maxmemory such as 90%");
		}
	}

}
