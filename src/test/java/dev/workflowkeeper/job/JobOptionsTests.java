package dev.workflowkeeper.job;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/** How every launch path reads a job's options: one reading, one message per mistake. */
class JobOptionsTests {

	private static final SimpleJobDefinition JOB = SimpleJobDefinition.of("someJob");

	@Test
	void shouldRefuseAnUnknownOptionSuggestingTheOneMeant() {
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> JobOptions.of(JOB, Map.of("dryrun", true)))
			.withMessage("someJob: unknown option 'dryrun' (did you mean dryRun?); it takes dryRun, limit");
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> JobOptions.of(JOB, Map.of("lmiit", 3)))
			.withMessage("someJob: unknown option 'lmiit' (did you mean limit?); it takes dryRun, limit");
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> JobOptions.of(JOB, Map.of("colour", 3)))
			.withMessage("someJob: unknown option 'colour'; it takes dryRun, limit");
	}

	@Test
	void shouldRefuseAnExplicitNullRatherThanTakeTheDefault() {
		java.util.Map<String, Object> options = new java.util.HashMap<>();
		options.put("dryRun", null);

		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> JobOptions.of(JOB, options))
			.withMessage("someJob: option dryRun must be true or false, not null; leave it out for its default");
	}

	@Test
	void shouldReadBooleansFromBooleansAndTheirTextOnly() {
		JobOptions options = JobOptions.of(JOB, Map.of("dryRun", "TRUE"));

		assertThat(options.bool("dryRun", false)).isTrue();
		assertThat(JobOptions.of(JOB, Map.of("dryRun", false)).bool("dryRun", true)).isFalse();
		assertThat(JobOptions.of(JOB, Map.of()).bool("dryRun", true)).isTrue();
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> JobOptions.of(JOB, Map.of("dryRun", "yes")).bool("dryRun", false))
			.withMessage("someJob: option dryRun must be true or false, not 'yes'");
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> JobOptions.of(JOB, Map.of("dryRun", 1)).bool("dryRun", false))
			.withMessage("someJob: option dryRun must be true or false, not '1'");
	}

	@Test
	void shouldReadDurationsTheSameWayEverywhereABareNumberBeingSeconds() {
		assertThat(duration("90s")).isEqualTo(Duration.ofSeconds(90));
		assertThat(duration("48h")).isEqualTo(Duration.ofHours(48));
		assertThat(duration("P2D")).isEqualTo(Duration.ofDays(2));
		assertThat(duration("3600")).isEqualTo(Duration.ofHours(1));
		assertThat(duration(3600)).isEqualTo(Duration.ofHours(1));
		assertThat(duration(3600L)).isEqualTo(Duration.ofHours(1));
	}

	@Test
	void shouldRefuseZeroNegativeAndUnreadableDurations() {
		for (Object value : List.of(0, "0", "0s", "-5m", "soon", 1.5, true)) {
			assertThatExceptionOfType(JobOptionException.class).as(String.valueOf(value))
				.isThrownBy(() -> duration(value))
				.withMessage(
						"someJob: option limit must be a positive duration such as 90s, 48h, P2D or a number of seconds, not '"
								+ value + "'");
		}
	}

	@Test
	void shouldTakeZeroOnlyWhereZeroMeansNone() {
		assertThat(JobOptions.of(JOB, Map.of("limit", "0")).durationOrZero("limit", null)).isZero();
		assertThat(JobOptions.of(JOB, Map.of("limit", "0s")).durationOrZero("limit", null)).isZero();
		assertThat(JobOptions.of(JOB, Map.of("limit", 0)).durationOrZero("limit", null)).isZero();
		assertThat(JobOptions.of(JOB, Map.of("limit", "30m")).durationOrZero("limit", null))
			.isEqualTo(Duration.ofMinutes(30));
		assertThat(JobOptions.of(JOB, Map.of()).durationOrZero("limit", Duration.ofHours(1)))
			.isEqualTo(Duration.ofHours(1));
		for (Object value : List.of("-1s", "soon", 1.5)) {
			assertThatExceptionOfType(JobOptionException.class)
				.isThrownBy(() -> JobOptions.of(JOB, Map.of("limit", value)).durationOrZero("limit", null))
				.withMessage("someJob: option limit must be a positive duration such as 90s, 48h, P2D or a number of "
						+ "seconds, or 0, not '" + value + "'");
		}
	}

	@Test
	void shouldRefuseAMissingRequiredValueAndNumbersThatAreNot() {
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> JobOptions.of(JOB, Map.of()).whole("limit", null))
			.withMessage("someJob: option limit is required (a whole number)");
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> JobOptions.of(JOB, Map.of("limit", 2.5)).whole("limit", 1L))
			.withMessage("someJob: option limit must be a whole number, not '2.5'");
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> JobOptions.of(JOB, Map.of("limit", "NaN")).number("limit", 1.0))
			.withMessage("someJob: option limit must be a number, not 'NaN'");
	}

	@Test
	void shouldMaskAPasswordInARefusedStoreAddress() {
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> JobOptions.of(JOB, Map.of("limit", "ftp://user:secret@host")).store("limit", true))
			.satisfies(
					(ex) -> assertThat(ex.getMessage()).startsWith("someJob: option limit: ").doesNotContain("secret"));
	}

	@Test
	void shouldReadListsAndCommaSeparatedText() {
		assertThat(JobOptions.of(JOB, Map.of("limit", "Failed, completed,")).words("limit"))
			.isEqualTo(Set.of("failed", "completed"));
		assertThat(JobOptions.of(JOB, Map.of("limit", List.of("A", "b"))).words("limit")).isEqualTo(Set.of("a", "b"));
	}

	@Test
	void shouldLetTheJobsValidatorRefuseParametersNoLaunchPathWouldGive() {
		var validator = JOB.validator();

		assertThatExceptionOfType(InvalidJobParametersException.class)
			.isThrownBy(
					() -> validator.validate(new JobParametersBuilder().addString("dryrun", "true").toJobParameters()))
			.withMessage("someJob: unknown option 'dryrun' (did you mean dryRun?); it takes dryRun, limit");
		assertThatExceptionOfType(InvalidJobParametersException.class)
			.isThrownBy(() -> validator
				.validate(new JobParametersBuilder().addString("dryRun", "yes").addLong("limit", 3L).toJobParameters()))
			.withMessage("someJob: parameter dryRun must be true or false, not 'yes'");
	}

	@Test
	void shouldNameOptionsOnTheCommandLineInKebabCase() {
		assertThat(JobOption.of("includeUnparseable", OptionType.BOOLEAN, "false", "").commandLineName())
			.isEqualTo("--include-unparseable");
	}

	private static Duration duration(Object value) {
		return JobOptions.of(JOB, Map.of("limit", value)).duration("limit", null);
	}

}
