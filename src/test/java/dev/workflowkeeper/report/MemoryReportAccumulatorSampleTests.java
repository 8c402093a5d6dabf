package dev.workflowkeeper.report;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.ScanPage;
import dev.workflowkeeper.store.WorkflowEntry;
import org.junit.jupiter.api.Test;

import org.springframework.batch.infrastructure.item.ExecutionContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link MemoryReportAccumulator} on keys of a sampled scan: figures scaled to the whole
 * keyspace from the pages, empty pages counted as visited, the same report after a
 * restart inside a page, and exact figures when the store read every key.
 */
class MemoryReportAccumulatorSampleTests {

	private static final long NOW = 1_700_000_000_000L;

	private static final ReportSettings SETTINGS = new ReportSettings(Duration.ofHours(24), Duration.ofHours(48), 5);

	private static final ReportSample TENTH = new ReportSample(0.1, Long.MAX_VALUE);

	@Test
	void shouldScaleTheFiguresByTheShareTheScanVisited() {
		// given: 4 pages of 0.025 each, 10 keys of 100 bytes a page, half without a TTL,
		// an empty page between the second and the third
		MemoryReportAccumulator accumulator = new MemoryReportAccumulator(SETTINGS, NOW, false, TENTH);
		pages(0, 4).forEach(accumulator::add);

		// when: the scan visited 0.125 of the table
		MemoryReport report = accumulator.report(null, 0.125);

		// then: 40 keys in 0.125 of it, 320 in all; the page after the empty one counts
		// from the end of the one before (twice the share for its keys), so the pages
		// vary and the interval is not 0
		assertThat(report.keys()).isEqualTo(320);
		assertThat(report.memoryBytes()).isEqualTo(32_000);
		assertThat(report.keysWithoutTtl()).isEqualTo(160);
		assertThat(report.intervals().get("keys")).isPositive();
		assertThat(report.intervals().get("ttlBuckets/>24h/keys")).isZero();
		assertThat(report.sample()).containsEntry("share", 0.125).containsEntry("keysRead", 40L);
		assertThat(report.topKeys()).hasSize(5);
	}

	@Test
	void shouldReportTheSameAfterARestartInsideAPage() {
		// given: a run whole, and one checkpointed after the 15th key then resumed
		MemoryReportAccumulator whole = new MemoryReportAccumulator(SETTINGS, NOW, false, TENTH);
		List<KeyInfo> keys = pages(0, 4);
		keys.forEach(whole::add);
		MemoryReportAccumulator first = new MemoryReportAccumulator(SETTINGS, NOW, false, TENTH);
		ExecutionContext context = new ExecutionContext();
		first.open(context);
		keys.subList(0, 15).forEach(first::add);
		first.update(context);

		// when
		MemoryReportAccumulator resumed = new MemoryReportAccumulator(SETTINGS, NOW, false, TENTH);
		resumed.open(context);
		keys.subList(15, keys.size()).forEach(resumed::add);

		// then
		assertThat(resumed.report(null, 0.125).toMap(Duration.ofHours(24)))
			.isEqualTo(whole.report(null, 0.125).toMap(Duration.ofHours(24)));
	}

	@Test
	void shouldSayTheFiguresAreExactWhenTheStoreReadEveryKey() {
		MemoryReportAccumulator accumulator = new MemoryReportAccumulator(SETTINGS, NOW, false, TENTH);
		for (int i = 0; i < 30; i++) {
			accumulator.add(new KeyInfo("document_workflow:t" + i, "t" + i, null, 100, WorkflowEntry.NO_EXPIRY, null));
		}

		MemoryReport report = accumulator.report(null, null);

		assertThat(report.keys()).isEqualTo(30);
		assertThat(report.intervals()).isNull();
		assertThat(report.sample()).containsEntry("estimate", false);
		assertThat(report.toMap(Duration.ofHours(24))).containsKey("sample").doesNotContainKey("intervals");
	}

	/**
	 * Pages {@code from} to {@code to} (excluded), the one after the second left empty.
	 */
	private static List<KeyInfo> pages(int from, int to) {
		List<KeyInfo> keys = new ArrayList<>();
		for (int page = from; page < to; page++) {
			double start = page * 0.025 + ((page >= 2) ? 0.025 : 0);
			ScanPage scanPage = new ScanPage(start, start + 0.025);
			for (int i = 0; i < 10; i++) {
				String threadId = "p" + page + "k" + i;
				long expireAt = (i % 2 == 0) ? WorkflowEntry.NO_EXPIRY : NOW + 3_600_000;
				keys.add(new KeyInfo("document_workflow:" + threadId, threadId, null, 100, expireAt, null, null,
						scanPage));
			}
		}
		return keys;
	}

}
