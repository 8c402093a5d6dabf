package dev.workflowkeeper.report;

import dev.workflowkeeper.job.JobOptionException;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.job.parameters.JobParametersBuilder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** The rules of {@link ReportParameters}. */
class ReportParametersTests {

	@Test
	void shouldRoundTripThroughJobParameters() {
		ReportParameters parameters = new ReportParameters("redis://:****@h:6379/0", false);

		assertThat(ReportParameters.from(parameters.toJobParameters())).isEqualTo(parameters);
	}

	@Test
	void shouldRefuseASnapshotFileAndAValuesThatIsNotABoolean() {
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> ReportParameters.from(new JobParametersBuilder().addString("store", "snapshot:s.json")
				.addString("values", "true")
				.toJobParameters()))
			.withMessage("reportMemoryJob: parameter store must be a redis:// store or memory:, not a snapshot file, "
					+ "which has no TTLs to maintain");
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> ReportParameters.from(
				new JobParametersBuilder().addString("store", "memory:").addString("values", "some").toJobParameters()))
			.withMessage("reportMemoryJob: parameter values must be true or false, not 'some'");
	}

}
