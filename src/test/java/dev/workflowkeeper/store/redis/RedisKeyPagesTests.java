package dev.workflowkeeper.store.redis;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The order in which {@code SCAN} visits its cursors, which decides where a resumed scan
 * goes on.
 */
class RedisKeyPagesTests {

	@Test
	void shouldOrderCursorsAsScanVisitsThemBitReversed() {
		// a table of 8 buckets is visited 0, 4, 2, 6, 1, 5, 3, 7
		assertThat(RedisKeyPages.isBefore("4", "2")).isTrue();
		assertThat(RedisKeyPages.isBefore("2", "4")).isFalse();
		assertThat(RedisKeyPages.isBefore("6", "1")).isTrue();
		assertThat(RedisKeyPages.isBefore("5", "3")).isTrue();
		assertThat(RedisKeyPages.isBefore("3", "3")).isFalse();
		// a cursor of a larger table falls between those of the smaller one
		assertThat(RedisKeyPages.isBefore("4", "12")).isTrue();
		assertThat(RedisKeyPages.isBefore("12", "2")).isTrue();
		// the largest cursors
		assertThat(RedisKeyPages.isBefore("9223372036854775807", "18446744073709551615")).isTrue();
	}

	@Test
	void shouldTakeTheEndCursorAsLastOfAll() {
		assertThat(RedisKeyPages.isBefore("0", "7")).isFalse();
		assertThat(RedisKeyPages.isBefore("7", "0")).isTrue();
		assertThat(RedisKeyPages.isBefore("0", "0")).isFalse();
	}

}
