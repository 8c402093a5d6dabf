package dev.workflowkeeper.ttl;

import java.time.Duration;
import java.util.Map;

import dev.workflowkeeper.job.JobOptionException;
import dev.workflowkeeper.job.JobOptions;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.job.parameters.JobParametersBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The rules of {@link EnforceTtlParameters}, every refusal with its message. */
class EnforceTtlParametersTests {

	private static final Duration SERVICE_TTL = Duration.ofDays(1);

	@Test
	void shouldDefaultToTheServiceTtlAndRoundTripThroughJobParameters() {
		EnforceTtlParameters parameters = of(Map.of());

		assertThat(parameters).isEqualTo(new EnforceTtlParameters("memory:", SERVICE_TTL, false, false));
		assertThat(EnforceTtlParameters.from(parameters.toJobParameters(), SERVICE_TTL)).isEqualTo(parameters);
		assertThat(parameters.toJobParameters().getLong("maxTtl")).isEqualTo(86_400L);
	}

	@Test
	void shouldTakeALongerMaximumWrittenAnyWay() {
		assertThat(of(Map.of("maxTtl", "48h")).maxTtl()).isEqualTo(Duration.ofHours(48));
		assertThat(of(Map.of("maxTtl", 172_800)).maxTtl()).isEqualTo(Duration.ofHours(48));
		assertThat(of(Map.of("maxTtl", "P2D", "fromAge", true, "dryRun", "true")))
			.isEqualTo(new EnforceTtlParameters("memory:", Duration.ofDays(2), true, true));
	}

	@Test
	void shouldRefuseAMaximumBelowTheServiceTtl() {
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> of(Map.of("maxTtl", 3600)))
			.withMessage("enforceTtlJob: option maxTtl of 3600s is shorter than the service's TTL of 86400s "
					+ "(WORKFLOW_STATE_TTL): it would shorten what the service sets");
	}

	@Test
	void shouldRefuseStoredParametersAScheduleOnceGaveAsText() {
		var stored = new JobParametersBuilder().addString("store", "memory:")
			.addString("maxTtl", "3600")
			.addString("fromAge", "false")
			.addString("dryRun", "false")
			.toJobParameters();

		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> EnforceTtlParameters.from(stored, SERVICE_TTL))
			.withMessageContaining("enforceTtlJob: parameter maxTtl of 3600s is shorter than the service's TTL");
	}

	@Test
	void shouldRefuseMissingStoredParameters() {
		var stored = new JobParametersBuilder().addString("store", "memory:").toJobParameters();

		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> EnforceTtlParameters.from(stored, SERVICE_TTL))
			.withMessage(
					"enforceTtlJob: parameter maxTtl is required (a positive duration such as 90s, 48h, P2D or a number of seconds)");
	}

	private static EnforceTtlParameters of(Map<String, ?> options) {
		return EnforceTtlParameters.of(JobOptions.given(EnforceTtlJob.NAME, options), "memory:", SERVICE_TTL,
				SERVICE_TTL);
	}

}
