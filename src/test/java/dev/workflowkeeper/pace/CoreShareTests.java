package dev.workflowkeeper.pace;

import java.util.BitSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The cores the worker leaves to the Redis beside it, as the kernel applies them to the
 * threads of this very process: kept off while jobs are paced, all of them while a job
 * runs with its limits off, and for threads started meanwhile too.
 */
class CoreShareTests {

	@AfterEach
	void everyCoreAgain() {
		CoreShare.configure(0);
	}

	@Test
	void shouldKeepOffTheSpareCoreButWhileAJobRunsWithItsLimitsOff() throws Exception {
		CoreShare.configure(0);
		BitSet all = CoreShare.current();
		assumeTrue(all.cardinality() >= 2, "a machine with one core has none to spare");

		// when: one core spared
		CoreShare.configure(1);

		// then: this thread, and one started now, keep off the lowest one
		BitSet narrowed = CoreShare.current();
		assertThat(narrowed.cardinality()).isEqualTo(all.cardinality() - 1);
		assertThat(narrowed.get(all.nextSetBit(0))).isFalse();
		assertThat(coresOfANewThread()).isEqualTo(narrowed);

		// when: a job with its limits off runs, then ends
		CoreShare.widen();
		BitSet widened = CoreShare.current();
		CoreShare.unwiden();

		// then
		assertThat(widened).isEqualTo(all);
		assertThat(CoreShare.current()).isEqualTo(narrowed);
	}

	@Test
	void shouldLetAProbeThreadUseEveryCore() throws Exception {
		CoreShare.configure(0);
		BitSet all = CoreShare.current();
		assumeTrue(all.cardinality() >= 2, "a machine with one core has none to spare");
		CoreShare.configure(1);
		BitSet[] probe = new BitSet[1];
		Thread thread = new Thread(() -> {
			CoreShare.freeCurrentThread();
			probe[0] = CoreShare.current();
		});
		thread.start();
		thread.join();
		assertThat(probe[0]).isEqualTo(all);
		assertThat(CoreShare.current().cardinality()).isEqualTo(all.cardinality() - 1);
	}

	private static BitSet coresOfANewThread() throws InterruptedException {
		BitSet[] cores = new BitSet[1];
		Thread thread = new Thread(() -> cores[0] = CoreShare.current());
		thread.start();
		thread.join();
		return cores[0];
	}

}
