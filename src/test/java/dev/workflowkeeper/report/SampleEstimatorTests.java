package dev.workflowkeeper.report;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link SampleEstimator} on synthetic keyspaces whose truth is known: a hash table of
 * buckets holding keys of two sizes at random, walked as {@code SCAN COUNT} walks it
 * (buckets in a random order, a page ending once it holds {@code COUNT} keys), the walk
 * ended at a share of the table.
 */
class SampleEstimatorTests {

	private static final int BUCKETS = 1 << 15;

	private static final int COUNT = 100;

	@Test
	void shouldCoverTheTruthInAbout95PercentOfSamples() {
		// given: 200 seeded keyspaces, each sampled at 10%
		int trials = 200;
		int keysCovered = 0;
		int bytesCovered = 0;
		for (int trial = 0; trial < trials; trial++) {
			Random random = new Random(trial);
			Table table = Table.random(random);

			// when
			SampleEstimator.Sums sums = table.sample(random, 0.1);
			SampleEstimator.Estimate keys = SampleEstimator.estimate(sums, "keys");
			SampleEstimator.Estimate bytes = SampleEstimator.estimate(sums, "memoryBytes");

			// then
			if (Math.abs(keys.value() - table.keys) <= keys.halfWidth()) {
				keysCovered++;
			}
			if (Math.abs(bytes.value() - table.bytes) <= bytes.halfWidth()) {
				bytesCovered++;
			}
			assertThat(keys.halfWidth()).isLessThan(table.keys * 0.1);
		}
		assertThat(keysCovered).as("keys covered").isGreaterThanOrEqualTo(trials * 85 / 100);
		assertThat(bytesCovered).as("bytes covered").isGreaterThanOrEqualTo(trials * 85 / 100);
	}

	@Test
	void shouldBeExactOnceTheWholeTableIsVisited() {
		Random random = new Random(7);
		Table table = Table.random(random);

		SampleEstimator.Sums sums = table.sample(random, 1.0);

		SampleEstimator.Estimate keys = SampleEstimator.estimate(sums, "keys");
		assertThat(keys.value()).isEqualTo(table.keys);
		assertThat(keys.halfWidth()).isZero();
	}

	@Test
	void shouldTellNoIntervalFromASinglePage() {
		SampleEstimator.Sums sums = new SampleEstimator.Sums();
		sums.add(0.01, Map.of("keys", 100L));

		SampleEstimator.Estimate keys = SampleEstimator.estimate(sums, "keys");

		assertThat(keys.value()).isCloseTo(10_000, within(1e-6));
		assertThat(keys.halfWidth()).isNull();
	}

	@Test
	void shouldWidenTheIntervalOfAFewPagesByStudentsT() {
		assertThat(SampleEstimator.t975(1)).isEqualTo(12.706);
		assertThat(SampleEstimator.t975(4)).isEqualTo(2.776);
		assertThat(SampleEstimator.t975(60)).isCloseTo(2.000, within(0.003));
		assertThat(SampleEstimator.t975(10_000)).isCloseTo(1.96, within(0.001));
	}

	/** Keys (0 to several per bucket) of 200 or 2,000 bytes, the truth summed. */
	private record Table(int[] keysIn, long[] bytesIn, long keys, long bytes) {

		static Table random(Random random) {
			int[] keysIn = new int[BUCKETS];
			long[] bytesIn = new long[BUCKETS];
			long keys = 0;
			long bytes = 0;
			// about 0.75 keys a bucket, as Redis's table before it grows
			int total = (int) (BUCKETS * 0.75);
			for (int i = 0; i < total; i++) {
				int bucket = random.nextInt(BUCKETS);
				long size = random.nextBoolean() ? 200 : 2_000;
				keysIn[bucket]++;
				bytesIn[bucket] += size;
				keys++;
				bytes += size;
			}
			return new Table(keysIn, bytesIn, keys, bytes);
		}

		/**
		 * Walks the buckets in a random order (the hash makes the reverse-binary order
		 * random), a page ending once it holds COUNT keys, until {@code share} of them
		 * are visited; a page holding none ends only with the walk.
		 */
		SampleEstimator.Sums sample(Random random, double share) {
			List<Integer> order = new ArrayList<>(BUCKETS);
			for (int i = 0; i < BUCKETS; i++) {
				order.add(i);
			}
			Collections.shuffle(order, random);
			SampleEstimator.Sums sums = new SampleEstimator.Sums();
			int visited = 0;
			while (visited < BUCKETS && visited < share * BUCKETS) {
				int from = visited;
				long keys = 0;
				long bytes = 0;
				while (visited < BUCKETS && keys < COUNT) {
					int bucket = order.get(visited++);
					keys += this.keysIn[bucket];
					bytes += this.bytesIn[bucket];
				}
				sums.add((visited - from) / (double) BUCKETS, Map.of("keys", keys, "memoryBytes", bytes));
			}
			return sums;
		}

	}

}
