package dev.workflowkeeper.ttl;

import java.time.Duration;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Where {@link ExpirySpread} puts each key: within the window, the same each time,
 * evenly.
 */
class ExpirySpreadTests {

	private static final Duration HOUR = Duration.ofHours(1);

	@Test
	void shouldPutEveryKeyWithinTheWindowAndTheSameKeyAlwaysInTheSamePlace() {
		// given
		ExpirySpread spread = new ExpirySpread(HOUR);

		// when / then
		for (int i = 0; i < 100_000; i++) {
			String key = "document_workflow:thread-" + i;
			assertThat(spread.offsetMillis(key)).as(key).isBetween(0L, HOUR.toMillis());
			assertThat(new ExpirySpread(HOUR).offsetMillis(key)).isEqualTo(spread.offsetMillis(key));
		}
	}

	@Test
	void shouldPutNothingBelowWithoutASpread() {
		assertThat(ExpirySpread.NONE.offsetMillis("document_workflow:a")).isZero();
		assertThat(new ExpirySpread(Duration.ZERO).offsetMillis("document_workflow:b")).isZero();
	}

	@Test
	void shouldSpreadKeysThatDifferInOneCharacterEvenlyOverTheSecondsOfTheWindow() {
		// given: counters and ids, 360,000 of each: a hundred to a second of an hour on
		// average
		ExpirySpread spread = new ExpirySpread(HOUR);
		Random random = new Random(42);
		int[] counters = new int[3_601];
		int[] ids = new int[3_601];

		// when
		for (int i = 0; i < 360_000; i++) {
			counters[(int) (spread.offsetMillis("document_workflow:" + i) / 1_000)]++;
			UUID id = new UUID(random.nextLong(), random.nextLong());
			ids[(int) (spread.offsetMillis("document_workflow:" + id) / 1_000)]++;
		}

		// then: every second within about five standard deviations of its share, as
		// random places would be
		for (int[] seconds : new int[][] { counters, ids }) {
			for (int second = 0; second < 3_600; second++) {
				assertThat(seconds[second]).as("second %d", second).isBetween(50, 160);
			}
		}
	}

}
