package dev.workflowkeeper.ops;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one body of every refusal: status, reason and a masked line.
 */
class ErrorBodyTests {

	@Test
	void shouldNameTheStatusAndMaskTheStoresPassword() {
		// given
		JobControlException refused = new JobAlreadyRunningException(
				"migrateStatesJob is already running against redis://:s3cret@10.0.0.5:6379/0");

		// when
		ErrorBody body = ErrorBody.of(refused);

		// then
		assertThat(body.status()).isEqualTo(409);
		assertThat(body.error()).isEqualTo("Conflict");
		assertThat(body.message()).contains("redis://:****@10.0.0.5:6379/0").doesNotContain("s3cret");
	}

	@Test
	void shouldSayErrorForAStatusWithoutAReason() {
		assertThat(ErrorBody.of(599, "odd")).isEqualTo(new ErrorBody(599, "Error", "odd"));
	}

}
