package dev.workflowkeeper.migration;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

import dev.workflowkeeper.migration.TtlPolicy.Mode;
import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.WorkflowEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TtlPolicyTests {

	private static final long NOW = Instant.parse("2025-03-01T12:00:00Z").toEpochMilli();

	private static final Duration STATE_TTL = Duration.ofDays(1);

	private static final long DAY = STATE_TTL.toMillis();

	private static final long HOUR = 3_600_000;

	@Test
	void shouldParseEveryForm() {
		assertThat(TtlPolicy.parse(null)).isEqualTo(new TtlPolicy(Mode.AUTO, 0));
		assertThat(TtlPolicy.parse("")).isEqualTo(new TtlPolicy(Mode.AUTO, 0));
		assertThat(TtlPolicy.parse("auto")).isEqualTo(new TtlPolicy(Mode.AUTO, 0));
		assertThat(TtlPolicy.parse(" Preserve ")).isEqualTo(new TtlPolicy(Mode.PRESERVE, 0));
		assertThat(TtlPolicy.parse("from-age")).isEqualTo(new TtlPolicy(Mode.FROM_AGE, 0));
		assertThat(TtlPolicy.parse("RESET")).isEqualTo(new TtlPolicy(Mode.RESET, 0));
		assertThat(TtlPolicy.parse("600")).isEqualTo(new TtlPolicy(Mode.FIXED, 600));
	}

	@ParameterizedTest
	@ValueSource(strings = { "auto", "preserve", "from-age", "reset", "600" })
	void shouldWriteTheFormItParses(String text) {
		// when
		TtlPolicy policy = TtlPolicy.parse(text);

		// then
		assertThat(policy.text()).isEqualTo(text);
		assertThat(TtlPolicy.parse(policy.text())).isEqualTo(policy);
	}

	@Test
	void shouldRefuseWhatIsNeitherARuleNorANumberOfSeconds() {
		assertThatIllegalArgumentException().isThrownBy(() -> TtlPolicy.parse("forever"))
			.withMessage("--ttl must be preserve, from-age, reset or a number of seconds, not 'forever'");
		assertThatIllegalArgumentException().isThrownBy(() -> TtlPolicy.parse("1.5"))
			.withMessage("--ttl must be preserve, from-age, reset or a number of seconds, not '1.5'");
		assertThatIllegalArgumentException().isThrownBy(() -> TtlPolicy.parse("10s"))
			.withMessage("--ttl must be preserve, from-age, reset or a number of seconds, not '10s'");
	}

	@Test
	void shouldRefuseSecondsThatAreNotPositive() {
		assertThatIllegalArgumentException().isThrownBy(() -> TtlPolicy.parse("0"))
			.withMessage("--ttl must be a positive number of seconds, not 0");
		assertThatIllegalArgumentException().isThrownBy(() -> TtlPolicy.parse("-5"))
			.withMessage("--ttl must be a positive number of seconds, not -5");
		assertThatIllegalArgumentException().isThrownBy(() -> TtlPolicy.parse("99999999999999"))
			.withMessage("--ttl must be at most 315360000 seconds (ten years), not 99999999999999");
	}

	@Test
	void shouldPreserveASourceExpiryWithinTheServiceTtl() {
		// given
		WorkflowEntry entry = entry(NOW + 3 * HOUR);

		// when
		long[] range = TtlPolicy.parse("preserve").expiryRange(entry, null, STATE_TTL, NOW, NOW + HOUR);

		// then
		assertThat(range).containsExactly(NOW + 3 * HOUR, NOW + 3 * HOUR);
	}

	@Test
	void shouldCapASourceExpiryBeyondTheServiceTtlAtTheWrite() {
		// given: ten days left in the source
		WorkflowEntry entry = entry(NOW + 10 * DAY);

		// when
		long[] atOnce = TtlPolicy.parse("preserve").expiryRange(entry, null, STATE_TTL, NOW, NOW);
		long[] overAnHour = TtlPolicy.parse("auto").expiryRange(entry, null, STATE_TTL, NOW, NOW + HOUR);

		// then
		assertThat(atOnce).containsExactly(NOW + DAY, NOW + DAY);
		assertThat(overAnHour).containsExactly(NOW + DAY, NOW + HOUR + DAY);
	}

	@Test
	void shouldCapOnlyWhereTheWriteWouldLeaveMoreThanTheServiceTtl() {
		// given: an expiry a day and a half away, written between now and a whole day
		// later
		WorkflowEntry entry = entry(NOW + DAY + 12 * HOUR);

		// when
		long[] range = TtlPolicy.parse("preserve").expiryRange(entry, null, STATE_TTL, NOW, NOW + DAY);

		// then: capped when written early, carried when written late
		assertThat(range).containsExactly(NOW + DAY, NOW + DAY + 12 * HOUR);
	}

	@Test
	void shouldCountFromTheAgeWhereTheSourceHasNoExpiry() {
		// given: updated two hours ago, no expiry in the source
		StateFields fields = new StateFields("processing", NOW - 2 * HOUR);
		WorkflowEntry entry = entry(WorkflowEntry.NO_EXPIRY);

		// when
		long[] preserve = TtlPolicy.parse("preserve").expiryRange(entry, fields, STATE_TTL, NOW, NOW);
		long[] auto = TtlPolicy.parse("auto").expiryRange(entry, fields, STATE_TTL, NOW, NOW);
		long[] fromAge = TtlPolicy.parse("from-age").expiryRange(entry(NOW + 3 * HOUR), fields, STATE_TTL, NOW, NOW);

		// then
		assertThat(preserve).containsExactly(NOW + 22 * HOUR, NOW + 22 * HOUR);
		assertThat(auto).containsExactly(NOW + 22 * HOUR, NOW + 22 * HOUR);
		assertThat(fromAge).containsExactly(NOW + 22 * HOUR, NOW + 22 * HOUR);
	}

	@Test
	void shouldCapAnAgeInTheFuture() {
		// given: updated_at an hour ahead of the worker's clock
		StateFields fields = new StateFields("processing", NOW + HOUR);

		// when
		long[] range = TtlPolicy.parse("from-age")
			.expiryRange(entry(WorkflowEntry.NO_EXPIRY), fields, STATE_TTL, NOW, NOW);

		// then
		assertThat(range).containsExactly(NOW + DAY, NOW + DAY);
	}

	@Test
	void shouldGiveNoExpiryFromAnUnreadableAge() {
		// given
		WorkflowEntry entry = entry(WorkflowEntry.NO_EXPIRY);
		StateFields noUpdatedAt = new StateFields("processing", StateFields.UNKNOWN);

		// when / then
		assertThat(TtlPolicy.parse("from-age").expiryRange(entry, null, STATE_TTL, NOW, NOW)).isNull();
		assertThat(TtlPolicy.parse("from-age").expiryRange(entry, noUpdatedAt, STATE_TTL, NOW, NOW)).isNull();
		assertThat(TtlPolicy.parse("auto").expiryRange(entry, noUpdatedAt, STATE_TTL, NOW, NOW)).isNull();
	}

	@Test
	void shouldGiveAFreshTtlFromTheWrite() {
		// given: a source expiry and an age, both ignored
		WorkflowEntry entry = entry(NOW + 10 * DAY);
		StateFields fields = new StateFields("processing", NOW - 2 * HOUR);

		// when
		long[] reset = TtlPolicy.parse("reset").expiryRange(entry, fields, STATE_TTL, NOW, NOW + HOUR);
		long[] seconds = TtlPolicy.parse("600").expiryRange(entry, fields, STATE_TTL, NOW, NOW + HOUR);

		// then
		assertThat(reset).containsExactly(NOW + DAY, NOW + HOUR + DAY);
		assertThat(seconds).containsExactly(NOW + 600_000, NOW + HOUR + 600_000);
	}

	@Test
	void shouldLetExplicitSecondsLongerThanTheServiceTtlStand() {
		// given: two days asked for, the service gives one
		TtlPolicy policy = TtlPolicy.parse("172800");

		// when
		long[] range = policy.expiryRange(entry(NOW + 10 * DAY), null, STATE_TTL, NOW, NOW);

		// then
		assertThat(range).containsExactly(NOW + 2 * DAY, NOW + 2 * DAY);
		assertThat(policy.maxTtl(STATE_TTL)).isEqualTo(Duration.ofDays(2));
	}

	@Test
	void shouldAllowNoLongerTtlThanTheServicesOrExplicitSeconds() {
		assertThat(TtlPolicy.parse("preserve").maxTtl(STATE_TTL)).isEqualTo(STATE_TTL);
		assertThat(TtlPolicy.parse("auto").maxTtl(STATE_TTL)).isEqualTo(STATE_TTL);
		assertThat(TtlPolicy.parse("from-age").maxTtl(STATE_TTL)).isEqualTo(STATE_TTL);
		assertThat(TtlPolicy.parse("reset").maxTtl(STATE_TTL)).isEqualTo(STATE_TTL);
		assertThat(TtlPolicy.parse("600").maxTtl(STATE_TTL)).isEqualTo(STATE_TTL);
		assertThat(TtlPolicy.parse("86401").maxTtl(STATE_TTL)).isEqualTo(Duration.ofSeconds(86_401));
	}

	@Test
	void shouldTellWhichRulesCountFromTheWrite() {
		assertThat(TtlPolicy.parse("reset").relativeToWrite()).isTrue();
		assertThat(TtlPolicy.parse("600").relativeToWrite()).isTrue();
		assertThat(TtlPolicy.parse("preserve").relativeToWrite()).isFalse();
		assertThat(TtlPolicy.parse("from-age").relativeToWrite()).isFalse();
		assertThat(TtlPolicy.parse("auto").relativeToWrite()).isFalse();
	}

	private static WorkflowEntry entry(long expireAtMillis) {
		return new WorkflowEntry("t-1", "{}".getBytes(StandardCharsets.UTF_8), expireAtMillis);
	}

}
