package dev.workflowkeeper.retention;

import dev.workflowkeeper.job.JobOptionException;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.job.parameters.JobParametersBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The rule of {@link PruneHistoryParameters}. */
class PruneHistoryParametersTests {

	@Test
	void shouldRoundTripAndRefuseAnythingButTrueOrFalse() {
		assertThat(PruneHistoryParameters.from(new PruneHistoryParameters(true).toJobParameters()).dryRun()).isTrue();
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> PruneHistoryParameters
				.from(new JobParametersBuilder().addString("dryRun", "ja").toJobParameters()))
			.withMessage("pruneHistoryJob: parameter dryRun must be true or false, not 'ja'");
	}

}
