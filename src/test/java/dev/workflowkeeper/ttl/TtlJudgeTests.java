package dev.workflowkeeper.ttl;

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

class TtlJudgeTests {

	private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

	private static final long NOW_MILLIS = NOW.toEpochMilli();

	private static final Duration MAX_TTL = Duration.ofDays(1);

	private static final long MAX = MAX_TTL.toMillis();

	private final StepCounters counters = new StepCounters("ttl", "checked", "untouched", "otherTypes");

	private final TtlJudge judge = new TtlJudge(MAX_TTL, Clock.fixed(NOW, ZoneOffset.UTC), this.counters);

	@Test
	void shouldPassAStateWithoutTtl() {
		// given
		KeyInfo key = state("t-1", WorkflowEntry.NO_EXPIRY);

		// when
		KeyInfo judged = this.judge.process(key);

		// then
		assertThat(judged).isSameAs(key);
		assertThat(this.counters.get("checked")).isEqualTo(1);
		assertThat(this.counters.get("untouched")).isZero();
	}

	@Test
	void shouldPassAStateAboveTheMaximumByOneMillisecond() {
		// given
		KeyInfo key = state("t-1", NOW_MILLIS + MAX + 1);

		// when
		KeyInfo judged = this.judge.process(key);

		// then
		assertThat(judged).isSameAs(key);
		assertThat(this.counters.get("untouched")).isZero();
	}

	@Test
	void shouldLeaveAStateExactlyAtTheMaximum() {
		// given
		KeyInfo key = state("t-1", NOW_MILLIS + MAX);

		// when
		KeyInfo judged = this.judge.process(key);

		// then
		assertThat(judged).isNull();
		assertThat(this.counters.get("untouched")).isEqualTo(1);
	}

	@Test
	void shouldLeaveAStateBelowTheMaximum() {
		// given
		KeyInfo key = state("t-1", NOW_MILLIS + MAX - 1);

		// when
		KeyInfo judged = this.judge.process(key);

		// then
		assertThat(judged).isNull();
		assertThat(this.counters.get("untouched")).isEqualTo(1);
	}

	@Test
	void shouldLeaveKeysOfOtherTypesAloneWhateverTheirTtl() {
		// given
		KeyInfo hash = new KeyInfo("document_workflow:h", "h", "hash", 64, WorkflowEntry.NO_EXPIRY, null);
		KeyInfo list = new KeyInfo("document_workflow:l", "l", "list", 64, NOW_MILLIS + 10 * MAX, null);

		// when
		KeyInfo judgedHash = this.judge.process(hash);
		KeyInfo judgedList = this.judge.process(list);

		// then
		assertThat(judgedHash).isNull();
		assertThat(judgedList).isNull();
		assertThat(this.counters.get("otherTypes")).isEqualTo(2);
		assertThat(this.counters.get("untouched")).isZero();
	}

	@Test
	void shouldCountEveryKeyCheckedOnceAndEachUnderOneOutcome() {
		// given
		KeyInfo[] keys = { state("missing", WorkflowEntry.NO_EXPIRY), state("far", NOW_MILLIS + 10 * MAX),
				state("at-max", NOW_MILLIS + MAX), state("below", NOW_MILLIS + 1_000),
				new KeyInfo("document_workflow:h", "h", "hash", 64, WorkflowEntry.NO_EXPIRY, null) };

		// when
		int passed = 0;
		for (KeyInfo key : keys) {
			passed += (this.judge.process(key) != null) ? 1 : 0;
		}

		// then
		assertThat(passed).isEqualTo(2);
		assertThat(this.counters.get("checked")).isEqualTo(5);
		assertThat(this.counters.get("untouched")).isEqualTo(2);
		assertThat(this.counters.get("otherTypes")).isEqualTo(1);
	}

	@Test
	void shouldFillWithTheServiceTtlUnlessAskedToCountFromTheAge() {
		// given
		Duration stateTtl = Duration.ofHours(6);
		KeyInfo updatedTwoHoursAgo = state("t-1", WorkflowEntry.NO_EXPIRY, "2025-03-01T10:00:00Z");

		// when
		long plain = TtlJudge.fillExpiry(updatedTwoHoursAgo, false, stateTtl, NOW_MILLIS, 0);
		long fromAge = TtlJudge.fillExpiry(updatedTwoHoursAgo, true, stateTtl, NOW_MILLIS, 0);

		// then
		assertThat(plain).isEqualTo(NOW_MILLIS + stateTtl.toMillis());
		assertThat(fromAge).isEqualTo(NOW_MILLIS + Duration.ofHours(4).toMillis());
	}

	@Test
	void shouldGiveAStatePastItsLifeAMinuteWhenCountingFromTheAge() {
		// given
		KeyInfo updatedTwoDaysAgo = state("t-1", WorkflowEntry.NO_EXPIRY, "2025-02-27T12:00:00Z");

		// when
		long fill = TtlJudge.fillExpiry(updatedTwoDaysAgo, true, Duration.ofDays(1), NOW_MILLIS, 0);

		// then
		assertThat(fill).isEqualTo(NOW_MILLIS + 60_000);
	}

	@Test
	void shouldFillTheKeysPlaceInTheSpreadBelowTheServiceTtlButKeepTheAge() {
		// given: a place 20 minutes below
		Duration stateTtl = Duration.ofHours(6);
		long below = Duration.ofMinutes(20).toMillis();
		KeyInfo updatedTwoHoursAgo = state("t-1", WorkflowEntry.NO_EXPIRY, "2025-03-01T10:00:00Z");
		KeyInfo updatedTwoDaysAgo = state("t-2", WorkflowEntry.NO_EXPIRY, "2025-02-27T12:00:00Z");

		// when
		long plain = TtlJudge.fillExpiry(updatedTwoHoursAgo, false, stateTtl, NOW_MILLIS, below);
		long fromAge = TtlJudge.fillExpiry(updatedTwoHoursAgo, true, stateTtl, NOW_MILLIS, below);
		long pastItsLife = TtlJudge.fillExpiry(updatedTwoDaysAgo, true, stateTtl, NOW_MILLIS, below);

		// then: the service's TTL less the place; the age as it is; a minute and the
		// place for a state past its life, so that old states do not all go in that
		// minute
		assertThat(plain).isEqualTo(NOW_MILLIS + stateTtl.toMillis() - below);
		assertThat(fromAge).isEqualTo(NOW_MILLIS + Duration.ofHours(4).toMillis());
		assertThat(pastItsLife).isEqualTo(NOW_MILLIS + 60_000 + below);
	}

	@Test
	void shouldFillWithTheServiceTtlWhenTheAgeCannotBeRead() {
		// given
		Duration stateTtl = Duration.ofDays(1);
		KeyInfo noUpdatedAt = new KeyInfo("document_workflow:a", "a", "string", 64, WorkflowEntry.NO_EXPIRY,
				bytes("{\"status\":\"processing\"}"));
		KeyInfo notJson = new KeyInfo("document_workflow:b", "b", "string", 64, WorkflowEntry.NO_EXPIRY,
				bytes("plain"));
		KeyInfo noValue = new KeyInfo("document_workflow:c", "c", "string", 64, WorkflowEntry.NO_EXPIRY, null);

		// when / then
		assertThat(TtlJudge.fillExpiry(noUpdatedAt, true, stateTtl, NOW_MILLIS, 0))
			.isEqualTo(NOW_MILLIS + stateTtl.toMillis());
		assertThat(TtlJudge.fillExpiry(notJson, true, stateTtl, NOW_MILLIS, 0))
			.isEqualTo(NOW_MILLIS + stateTtl.toMillis());
		assertThat(TtlJudge.fillExpiry(noValue, true, stateTtl, NOW_MILLIS, 0))
			.isEqualTo(NOW_MILLIS + stateTtl.toMillis());
	}

	private static KeyInfo state(String threadId, long expireAtMillis) {
		return new KeyInfo("document_workflow:" + threadId, threadId, "string", 64, expireAtMillis, null);
	}

	private static KeyInfo state(String threadId, long expireAtMillis, String updatedAt) {
		return new KeyInfo("document_workflow:" + threadId, threadId, "string", 64, expireAtMillis,
				bytes("{\"status\":\"processing\",\"updated_at\":\"" + updatedAt + "\"}"));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
