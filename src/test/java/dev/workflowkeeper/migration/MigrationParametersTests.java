package dev.workflowkeeper.migration;

import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.workflowkeeper.job.JobOptionException;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.store.ConflictPolicy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The rules of {@link MigrationParameters}, every refusal with its message. */
class MigrationParametersTests {

	@Test
	void shouldTakeTheDefaultsAndRoundTripThroughJobParametersMasked() {
		MigrationParameters parameters = of(Map.of("from", "snapshot:states.json", "to", "redis://:pw@h:6379/0"));

		assertThat(parameters.ttl().text()).isEqualTo("auto");
		assertThat(parameters.onConflict()).isEqualTo(ConflictPolicy.SKIP);
		assertThat(parameters.verify()).isTrue();
		MigrationParameters stored = MigrationParameters.from(parameters.toJobParameters());
		assertThat(stored.to().value()).isEqualTo("redis://:****@h:6379/0");
		assertThat(stored.toJobParameters()).isEqualTo(parameters.toJobParameters());
	}

	@Test
	void shouldReadEveryOption() {
		MigrationParameters parameters = of(Map.of("from", "memory:", "to", "snapshot:out.jsonl", "ttl", "3600",
				"onConflict", "Newer", "targetPrefix", "wf:", "excludeTerminal", true, "statuses", List.of("Failed"),
				"dryRun", "true", "verify", false));

		assertThat(parameters).isEqualTo(new MigrationParameters(parameters.from(), parameters.to(),
				TtlPolicy.parse("3600"), ConflictPolicy.NEWER, "wf:", true, Set.of("failed"), true, false,
				MigrationParameters.DEFAULT_MAX_REJECTS));
	}

	@Test
	void shouldRefuseWhatItCannotMigrate() {
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> of(Map.of("to", "memory:")))
			.withMessage("migrateStatesJob: option from is required (a store address)");
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> of(Map.of("from", "memory:", "to", "memory:")))
			.withMessage("migrateStatesJob: options from and to name the same store (memory:): nothing to migrate");
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> of(Map.of("from", "memory:", "to", "snapshot:x", "onConflict", "merge")))
			.withMessage("migrateStatesJob: option onConflict must be skip, overwrite or newer, not 'merge'");
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> of(Map.of("from", "memory:", "to", "snapshot:x", "ttl", "forever")))
			.withMessage(
					"migrateStatesJob: option ttl must be preserve, from-age, reset, auto or a positive number of seconds, not 'forever'");
	}

	@Test
	void shouldTolerateAHundredRejectsByDefaultAndNotIdentifyARunByTheLimit() {
		MigrationParameters byDefault = of(Map.of("from", "snapshot:states.json", "to", "memory:"));
		MigrationParameters raised = of(Map.of("from", "snapshot:states.json", "to", "memory:", "maxRejects", "5000"));

		assertThat(byDefault.maxRejects()).isEqualTo(100);
		assertThat(raised.maxRejects()).isEqualTo(5000);
		assertThat(MigrationParameters.from(raised.toJobParameters()).maxRejects()).isEqualTo(5000);
		assertThat(raised.toJobParameters().getParameter("maxRejects").identifying()).isFalse();
		assertThat(raised.toJobParameters().getIdentifyingParameters())
			.isEqualTo(byDefault.toJobParameters().getIdentifyingParameters());
		assertThat(of(Map.of("from", "snapshot:s.json", "to", "memory:", "maxRejects", 0)).maxRejects()).isZero();
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> of(Map.of("from", "snapshot:s.json", "to", "memory:", "maxRejects", -1)))
			.withMessageStartingWith("migrateStatesJob: option maxRejects must be a whole number, 0 or more");
	}

	@Test
	void shouldLetAStoreIntoItselfUnderAnotherPrefix() {
		assertThat(of(Map.of("from", "memory:", "to", "memory:", "targetPrefix", "copy:")).targetPrefix())
			.isEqualTo("copy:");
	}

	private static MigrationParameters of(Map<String, ?> options) {
		return MigrationParameters.of(JobOptions.given(MigrationJob.NAME, options), true);
	}

}
