package dev.workflowkeeper.migration;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import org.junit.jupiter.api.Test;

import org.springframework.batch.infrastructure.item.ExecutionContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class StatesMigrationProcessorTests {

	private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

	private static final long NOW_MILLIS = NOW.toEpochMilli();

	private static final Duration STATE_TTL = Duration.ofDays(1);

	private static final long DAY = STATE_TTL.toMillis();

	private static final long HOUR = 3_600_000;

	@Test
	void shouldLeaveFinishedStatesBehindWhenAsked() {
		// given
		StatesMigrationProcessor processor = processor(parameters("auto", true, Set.of()), false);
		WorkflowEntry completed = state("a", "completed", NOW_MILLIS + HOUR);
		WorkflowEntry running = state("b", "processing", NOW_MILLIS + HOUR);

		// when / then
		assertThat(processor.process(completed)).isNull();
		assertThat(processor.process(running)).isEqualTo(running);
		assertThat(processor.expired()).isZero();
	}

	@Test
	void shouldMigrateOnlyTheStatusesAskedFor() {
		// given
		StatesMigrationProcessor processor = processor(parameters("auto", false, Set.of("pending")), false);
		WorkflowEntry pending = state("a", "Pending", NOW_MILLIS + HOUR);
		WorkflowEntry running = state("b", "processing", NOW_MILLIS + HOUR);
		WorkflowEntry noStatus = entry("c", "{\"updated_at\":\"2025-03-01T11:00:00Z\"}", NOW_MILLIS + HOUR);

		// when / then
		assertThat(processor.process(pending)).isEqualTo(pending);
		assertThat(processor.process(running)).isNull();
		assertThat(processor.process(noStatus)).isNull();
	}

	@Test
	void shouldRejectAValueWhoseStatusCannotBeFiltered() {
		// given
		StatesMigrationProcessor processor = processor(parameters("auto", true, Set.of()), false);

		// when / then
		assertThatExceptionOfType(RejectedRecordException.class)
			.isThrownBy(() -> processor.process(entry("a", "not json", NOW_MILLIS + HOUR)))
			.satisfies((ex) -> {
				assertThat(ex.threadId()).isEqualTo("a");
				assertThat(ex.reason()).isEqualTo("the value is not a JSON object, so its status cannot be filtered");
			});
	}

	@Test
	void shouldRejectAValueATargetOfJsonStatesCannotHold() {
		// given: a value that starts as an object but is not one whole
		StatesMigrationProcessor processor = processor(parameters("auto", false, Set.of()), true);
		WorkflowEntry truncated = entry("a", "{\"status\":\"processing\",\"updated_at\":1740830400,\"x\":",
				NOW_MILLIS + HOUR);

		// when / then
		assertThatExceptionOfType(RejectedRecordException.class).isThrownBy(() -> processor.process(truncated))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(
					"the value is not a JSON object, and the target (a snapshot or memory:) holds JSON states only"));
	}

	@Test
	void shouldCarryAnyValueToRedisAsItIs() {
		// given: no filters, a Redis target
		StatesMigrationProcessor processor = processor(parameters("preserve", false, Set.of()), false);
		WorkflowEntry plain = entry("a", "not json", NOW_MILLIS + HOUR);

		// when
		WorkflowEntry migrated = processor.process(plain);

		// then
		assertThat(migrated).isEqualTo(plain);
	}

	@Test
	void shouldRejectAStateThatCannotBeGivenAnExpiry() {
		// given: no expiry in the source and no updated_at
		StatesMigrationProcessor processor = processor(parameters("auto", false, Set.of()), false);

		// when / then
		assertThatExceptionOfType(RejectedRecordException.class)
			.isThrownBy(() -> processor.process(entry("a", "{\"status\":\"processing\"}", WorkflowEntry.NO_EXPIRY)))
			.satisfies((ex) -> assertThat(ex.reason()).isEqualTo(
					"no expiry in the source and no readable updated_at to compute one from (use --ttl reset or --ttl SECONDS)"));
	}

	@Test
	void shouldGiveEachStateTheExpiryOfTheRule() {
		// given: updated two hours ago, three hours left in the source
		WorkflowEntry entry = state("a", "processing", NOW_MILLIS + 3 * HOUR);

		// when
		long preserve = processor(parameters("preserve", false, Set.of()), false).process(entry).expireAtMillis();
		long fromAge = processor(parameters("from-age", false, Set.of()), false).process(entry).expireAtMillis();
		long reset = processor(parameters("reset", false, Set.of()), false).process(entry).expireAtMillis();
		long seconds = processor(parameters("600", false, Set.of()), false).process(entry).expireAtMillis();

		// then
		assertThat(preserve).isEqualTo(NOW_MILLIS + 3 * HOUR);
		assertThat(fromAge).isEqualTo(NOW_MILLIS + 22 * HOUR);
		assertThat(reset).isEqualTo(NOW_MILLIS + DAY);
		assertThat(seconds).isEqualTo(NOW_MILLIS + 600_000);
	}

	@Test
	void shouldCapAPreservedExpiryAtTheServiceTtl() {
		// given: ten days left in the source
		WorkflowEntry entry = state("a", "processing", NOW_MILLIS + 10 * DAY);

		// when
		WorkflowEntry preserved = processor(parameters("preserve", false, Set.of()), false).process(entry);
		WorkflowEntry auto = processor(parameters("auto", false, Set.of()), false).process(entry);

		// then
		assertThat(preserved.expireAtMillis()).isEqualTo(NOW_MILLIS + DAY);
		assertThat(auto.expireAtMillis()).isEqualTo(NOW_MILLIS + DAY);
	}

	@Test
	void shouldCountExpiredStatesAndWriteNone() {
		// given: one whose source expiry has passed, one whose age is past the TTL, one
		// expiring now
		StatesMigrationProcessor processor = processor(parameters("auto", false, Set.of()), false);
		WorkflowEntry pastExpiry = state("a", "processing", NOW_MILLIS - 1);
		WorkflowEntry pastAge = entry("b", "{\"status\":\"processing\",\"updated_at\":\"2025-02-27T12:00:00Z\"}",
				WorkflowEntry.NO_EXPIRY);
		WorkflowEntry expiringNow = state("c", "processing", NOW_MILLIS);

		// when / then
		assertThat(processor.process(pastExpiry)).isNull();
		assertThat(processor.process(pastAge)).isNull();
		assertThat(processor.process(expiringNow)).isNull();
		assertThat(processor.expired()).isEqualTo(3);
	}

	@Test
	void shouldKeepTheExpiredCountAcrossARestart() {
		// given: a run that counted one expired state, then stopped
		ExecutionContext context = new ExecutionContext();
		StatesMigrationProcessor first = processor(parameters("auto", false, Set.of()), false);
		first.open(context);
		first.process(state("a", "processing", NOW_MILLIS - 1));
		first.update(context);

		// when
		StatesMigrationProcessor restarted = processor(parameters("auto", false, Set.of()), false);
		restarted.open(context);
		restarted.process(state("b", "processing", NOW_MILLIS - 1));

		// then
		assertThat(restarted.expired()).isEqualTo(2);
	}

	private static StatesMigrationProcessor processor(MigrationParameters parameters, boolean targetNeedsJson) {
		return new StatesMigrationProcessor(parameters, STATE_TTL, targetNeedsJson, Clock.fixed(NOW, ZoneOffset.UTC));
	}

	private static MigrationParameters parameters(String ttl, boolean excludeTerminal, Set<String> statuses) {
		return new MigrationParameters(StoreUri.parse("redis://127.0.0.1:6379/0"),
				StoreUri.parse("redis://127.0.0.1:6379/1"), TtlPolicy.parse(ttl), ConflictPolicy.OVERWRITE, null,
				excludeTerminal, statuses, false, false, MigrationParameters.DEFAULT_MAX_REJECTS);
	}

	/** A state updated two hours before now. */
	private static WorkflowEntry state(String threadId, String status, long expireAtMillis) {
		return entry(threadId, "{\"status\":\"" + status + "\",\"updated_at\":\"2025-03-01T10:00:00Z\"}",
				expireAtMillis);
	}

	private static WorkflowEntry entry(String threadId, String value, long expireAtMillis) {
		return new WorkflowEntry(threadId, value.getBytes(StandardCharsets.UTF_8), expireAtMillis);
	}

}
