package dev.workflowkeeper.generate;

import java.util.Map;

import dev.workflowkeeper.job.JobOptionException;
import dev.workflowkeeper.job.JobOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The rules of {@link GenerateParameters}, every refusal with its message. */
class GenerateParametersTests {

	@Test
	void shouldMaskTheTargetAndRoundTripThroughJobParameters() {
		GenerateParameters parameters = of(Map.of("to", "redis://:secret@localhost:6379/0", "count", "10"));

		assertThat(parameters).isEqualTo(new GenerateParameters("redis://:****@localhost:6379/0", 10, 1, false));
		assertThat(GenerateParameters.from(parameters.toJobParameters())).isEqualTo(parameters);
	}

	@Test
	void shouldRefuseWhatItCannotGenerate() {
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> of(Map.of("to", "memory:")))
			.withMessage("generateStatesJob: option count is required (a whole number)");
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> of(Map.of("to", "memory:", "count", 0)))
			.withMessage("generateStatesJob: option count must be a whole number from 1 to 100000000, not '0'");
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> of(Map.of("to", "memory:", "count", 99_999_999_999_999L)))
			.withMessage(
					"generateStatesJob: option count must be a whole number from 1 to 100000000, not '99999999999999'");
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> of(Map.of("count", 5)))
			.withMessage("generateStatesJob: option to is required (a store address)");
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> of(Map.of("to", "memory:", "count", 5, "map", true)))
			.withMessage(
					"generateStatesJob: option map writes a snapshot file: give a snapshot:PATH target, not memory:");
	}

	private static GenerateParameters of(Map<String, ?> options) {
		return GenerateParameters.of(JobOptions.given(GenerateJob.NAME, options), true);
	}

}
