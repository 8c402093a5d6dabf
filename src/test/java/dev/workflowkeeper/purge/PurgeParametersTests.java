package dev.workflowkeeper.purge;

import java.time.Duration;
import java.util.Map;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.job.JobOptionException;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The rules of {@link PurgeParameters}, every refusal with its message. */
class PurgeParametersTests {

	private static final KeeperProperties DEFAULTS = WorkerSettings.defaults().keeperProperties();

	@Test
	void shouldTakeTheConfiguredDefaultsAndRoundTripThroughJobParameters() {
		PurgeParameters parameters = of(Map.of());

		assertThat(parameters).isEqualTo(new PurgeParameters("memory:", Duration.ofDays(2), Duration.ofHours(24), 0.5,
				false, true, false, false));
		assertThat(PurgeParameters.from(parameters.toJobParameters())).isEqualTo(parameters);
	}

	@Test
	void shouldReadEveryOption() {
		PurgeParameters parameters = of(Map.of("staleAfter", "72h", "terminalRetention", 21_600, "maxShare", "0.9",
				"dryRun", true, "archive", "false", "force", "true", "includeUnparseable", true));

		assertThat(parameters).isEqualTo(new PurgeParameters("memory:", Duration.ofHours(72), Duration.ofHours(6), 0.9,
				true, false, true, true));
	}

	@Test
	void shouldRefuseAZeroStaleAfterWhichOnceDeletedEveryState() {
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> of(Map.of("staleAfter", 0, "force", true)))
			.withMessage(
					"purgeStatesJob: option staleAfter must be a positive duration such as 90s, 48h, P2D or a number "
							+ "of seconds, not '0'");
	}

	@Test
	void shouldRefuseAYesThatOnceReadAsFalse() {
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> of(Map.of("dryRun", "yes")))
			.withMessage("purgeStatesJob: option dryRun must be true or false, not 'yes'");
	}

	@Test
	void shouldRefuseAShareOutsideZeroToOne() {
		for (Object share : new Object[] { 0, "-0.1", 1.5 }) {
			assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> of(Map.of("maxShare", share)))
				.withMessage(
						"purgeStatesJob: option maxShare must be a share above 0 and at most 1, not '" + share + "'");
		}
	}

	private static PurgeParameters of(Map<String, ?> options) {
		return PurgeParameters.of(JobOptions.given(PurgeJob.NAME, options), "memory:", DEFAULTS);
	}

}
