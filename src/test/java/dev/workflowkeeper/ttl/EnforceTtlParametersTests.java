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

		assertThat(parameters)
			.isEqualTo(new EnforceTtlParameters("memory:", SERVICE_TTL, Duration.ofHours(1), false, false));
		assertThat(EnforceTtlParameters.from(parameters.toJobParameters(), SERVICE_TTL)).isEqualTo(parameters);
		assertThat(parameters.toJobParameters().getLong("maxTtl")).isEqualTo(86_400L);
		assertThat(parameters.toJobParameters().getLong("spread")).isEqualTo(3_600L);
	}

	@Test
	void shouldTakeALongerMaximumWrittenAnyWay() {
		assertThat(of(Map.of("maxTtl", "48h")).maxTtl()).isEqualTo(Duration.ofHours(48));
		assertThat(of(Map.of("maxTtl", 172_800)).maxTtl()).isEqualTo(Duration.ofHours(48));
		assertThat(of(Map.of("maxTtl", "P2D", "fromAge", true, "dryRun", "true")))
			.isEqualTo(new EnforceTtlParameters("memory:", Duration.ofDays(2), Duration.ofHours(1), true, true));
	}

	@Test
	void shouldDefaultToATenthOfTheServiceTtlAndAtMostAnHour() {
		assertThat(EnforceTtlParameters.defaultSpread(Duration.ofDays(1))).isEqualTo(Duration.ofHours(1));
		assertThat(EnforceTtlParameters.defaultSpread(Duration.ofHours(2))).isEqualTo(Duration.ofMinutes(12));
		assertThat(EnforceTtlParameters.defaultSpread(Duration.ofSeconds(9))).isZero();
	}

	@Test
	void shouldTakeASpreadWrittenAnyWayAndZeroForNone() {
		assertThat(of(Map.of("spread", "30m")).spread()).isEqualTo(Duration.ofMinutes(30));
		assertThat(of(Map.of("spread", 600)).spread()).isEqualTo(Duration.ofMinutes(10));
		assertThat(of(Map.of("spread", "PT12H")).spread()).isEqualTo(Duration.ofHours(12));
		assertThat(of(Map.of("spread", "0")).spread()).isZero();
		assertThat(of(Map.of("spread", "0s")).spread()).isZero();
		assertThat(of(Map.of("spread", 0)).spread()).isZero();
		EnforceTtlParameters none = of(Map.of("spread", "0"));
		assertThat(EnforceTtlParameters.from(none.toJobParameters(), SERVICE_TTL)).isEqualTo(none);
	}

	@Test
	void shouldRefuseASpreadOfMoreThanHalfTheServiceTtlOrOfAnotherKind() {
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> of(Map.of("spread", 43_201)))
			.withMessage("enforceTtlJob: option spread of 43201s is more than half the service's TTL of 86400s "
					+ "(WORKFLOW_STATE_TTL): a state could keep less than half of it; 0 spreads nothing");
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> of(Map.of("spread", "-1h")))
			.withMessage("enforceTtlJob: option spread must be a positive duration such as 90s, 48h, P2D "
					+ "or a number of seconds, or 0, not '-1h'");
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> of(Map.of("spread", "soon")))
			.withMessageEndingWith("or 0, not 'soon'");
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> of(Map.of("spread", "1500ms")))
			.withMessage("enforceTtlJob: option spread of 1500ms is not a whole number of seconds");
	}

	@Test
	void shouldReadParametersRecordedBeforeTheSpreadAsNoSpread() {
		var stored = new JobParametersBuilder().addString("store", "memory:")
			.addLong("maxTtl", 86_400L)
			.addString("fromAge", "false")
			.addString("dryRun", "false")
			.toJobParameters();

		assertThat(EnforceTtlParameters.from(stored, SERVICE_TTL).spread()).isZero();
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
				EnforceTtlParameters.defaultSpread(SERVICE_TTL), SERVICE_TTL);
	}

}
