package dev.workflowkeeper.purge;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.WorkflowEntry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PurgeJudgeTests {

	private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

	private static final Duration STALE_AFTER = Duration.ofDays(2);

	private static final Duration TERMINAL_RETENTION = Duration.ofHours(24);

	private final StepCounters counters = new StepCounters("purge", "scanned", "otherTypes", "unparseable",
			"noUpdatedAt", "stale", "terminal");

	@Test
	void shouldJudgeAStateNotUpdatedForLongerThanStaleAfterStale() {
		// given: a running state, one millisecond and three days past the limit
		KeyInfo justStale = state("a", "processing", NOW.minus(STALE_AFTER).minusMillis(1));
		KeyInfo longStale = state("b", "processing", NOW.minus(Duration.ofDays(5)));

		// when / then
		assertThat(judge(false).process(justStale)).isSameAs(justStale);
		assertThat(judge(false).process(longStale)).isSameAs(longStale);
		assertThat(this.counters.get("stale")).isEqualTo(2);
		assertThat(this.counters.get("terminal")).isZero();
	}

	@Test
	void shouldKeepAStateUpdatedExactlyStaleAfterAgo() {
		// given
		KeyInfo key = state("a", "processing", NOW.minus(STALE_AFTER));

		// when
		KeyInfo judged = judge(false).process(key);

		// then
		assertThat(judged).isNull();
		assertThat(this.counters.get("stale")).isZero();
	}

	@Test
	void shouldJudgeAFinishedStatePastItsRetention() {
		// given: completed, failed and cancelled states a millisecond past the retention
		PurgeJudge judge = judge(false);
		Instant updatedAt = NOW.minus(TERMINAL_RETENTION).minusMillis(1);
		KeyInfo completed = state("a", "completed", updatedAt);
		KeyInfo failed = state("b", "FAILED", updatedAt);
		KeyInfo cancelled = state("c", "cancelled", updatedAt);

		// when / then
		assertThat(judge.process(completed)).isSameAs(completed);
		assertThat(judge.process(failed)).isSameAs(failed);
		assertThat(judge.process(cancelled)).isSameAs(cancelled);
		assertThat(this.counters.get("terminal")).isEqualTo(3);
		assertThat(this.counters.get("stale")).isZero();
	}

	@Test
	void shouldKeepRecentStatesFinishedOrNot() {
		// given: a finished state at its retention, a running one past the retention but
		// not stale
		PurgeJudge judge = judge(false);
		KeyInfo completed = state("a", "completed", NOW.minus(TERMINAL_RETENTION));
		KeyInfo running = state("b", "processing", NOW.minus(TERMINAL_RETENTION).minus(Duration.ofHours(1)));

		// when / then
		assertThat(judge.process(completed)).isNull();
		assertThat(judge.process(running)).isNull();
		assertThat(this.counters.get("scanned")).isEqualTo(2);
		assertThat(this.counters.get("stale")).isZero();
		assertThat(this.counters.get("terminal")).isZero();
	}

	@Test
	void shouldNeverJudgeAStateWithoutUpdatedAt() {
		// given: a finished state with no updated_at, one whose updated_at cannot be read
		PurgeJudge judge = judge(true);
		KeyInfo missing = key("a", "{\"status\":\"completed\"}");
		KeyInfo unreadable = key("b", "{\"status\":\"completed\",\"updated_at\":\"yesterday\"}");

		// when / then
		assertThat(judge.process(missing)).isNull();
		assertThat(judge.process(unreadable)).isNull();
		assertThat(this.counters.get("noUpdatedAt")).isEqualTo(2);
	}

	@Test
	void shouldCountButKeepUnparseableValuesUnlessAsked() {
		// given
		KeyInfo notJson = key("a", "not json");
		KeyInfo array = key("b", "[1,2]");

		// when
		KeyInfo keptNotJson = judge(false).process(notJson);
		KeyInfo keptArray = judge(false).process(array);

		// then
		assertThat(keptNotJson).isNull();
		assertThat(keptArray).isNull();
		assertThat(this.counters.get("unparseable")).isEqualTo(2);
	}

	@Test
	void shouldJudgeUnparseableValuesWhenAsked() {
		// given
		KeyInfo notJson = key("a", "not json");

		// when
		KeyInfo judged = judge(true).process(notJson);

		// then
		assertThat(judged).isSameAs(notJson);
		assertThat(this.counters.get("unparseable")).isEqualTo(1);
	}

	@Test
	void shouldLeaveKeysOfOtherTypesAndStringsWithoutValueAlone() {
		// given
		PurgeJudge judge = judge(true);
		KeyInfo hash = new KeyInfo("document_workflow:h", "h", "hash", 64, WorkflowEntry.NO_EXPIRY, null);
		KeyInfo noValue = new KeyInfo("document_workflow:s", "s", "string", 64, WorkflowEntry.NO_EXPIRY, null);

		// when / then
		assertThat(judge.process(hash)).isNull();
		assertThat(judge.process(noValue)).isNull();
		assertThat(this.counters.get("otherTypes")).isEqualTo(2);
		assertThat(this.counters.get("scanned")).isEqualTo(2);
		assertThat(this.counters.get("unparseable")).isZero();
	}

	private PurgeJudge judge(boolean includeUnparseable) {
		return new PurgeJudge(STALE_AFTER, TERMINAL_RETENTION, includeUnparseable, Clock.fixed(NOW, ZoneOffset.UTC),
				this.counters);
	}

	private static KeyInfo state(String threadId, String status, Instant updatedAt) {
		return key(threadId, "{\"status\":\"" + status + "\",\"updated_at\":\"" + updatedAt + "\"}");
	}

	private static KeyInfo key(String threadId, String value) {
		return new KeyInfo("document_workflow:" + threadId, threadId, "string", 64, WorkflowEntry.NO_EXPIRY,
				value.getBytes(StandardCharsets.UTF_8));
	}

}
