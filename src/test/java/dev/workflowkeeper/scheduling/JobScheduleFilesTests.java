package dev.workflowkeeper.scheduling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.job.OptionType;
import dev.workflowkeeper.job.SimpleJobDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.job.parameters.JobParameters;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class JobScheduleFilesTests {

	private static final JobDefinitions JOBS = SimpleJobDefinition.definitions("quickJob", "slowJob");

	@TempDir
	Path dir;

	@Test
	void shouldLoadAScheduleWithItsOptionsAsStrings() throws IOException {
		// given
		write("quick.yml", """
				job: quickJob
				enabled: true
				schedule: "0 */5 * * * *"
				zone: Europe/Paris
				options:
				  dryRun: true
				  limit: 100
				""");

		// when
		List<JobSchedule> schedules = JobScheduleFiles.load(this.dir, JOBS);

		// then
		assertThat(schedules).singleElement().satisfies((schedule) -> {
			assertThat(schedule.job()).isEqualTo("quickJob");
			assertThat(schedule.enabled()).isTrue();
			assertThat(schedule.schedule()).isEqualTo("0 */5 * * * *");
			assertThat(schedule.zone()).isEqualTo(ZoneId.of("Europe/Paris"));
			assertThat(schedule.options()).containsExactly(Map.entry("dryRun", true), Map.entry("limit", 100));
			assertThat(schedule.parameterTexts()).containsExactly(Map.entry("dryRun", "true"),
					Map.entry("limit", "100"));
			assertThat(schedule.file()).endsWith("quick.yml");
		});
	}

	@Test
	void shouldReadTheScheduleInUtcAndEnableItWhenTheFileDoesNotSay() throws IOException {
		// given
		write("quick.yml", "job: quickJob\nschedule: \"0 0 3 * * *\"\n");

		// when
		JobSchedule schedule = JobScheduleFiles.load(this.dir, JOBS).get(0);

		// then
		assertThat(schedule.zone()).isEqualTo(ZoneOffset.UTC);
		assertThat(schedule.enabled()).isTrue();
		assertThat(schedule.options()).isEmpty();
		assertThat(schedule.nextFireTime(Instant.parse("2026-01-01T10:00:00Z"))).isEqualTo("2026-01-02T03:00:00Z");
	}

	@Test
	void shouldIdentifyARunByItsSlotOnly() throws IOException {
		// given
		write("quick.yml", "job: quickJob\nschedule: \"0 0 3 * * *\"\noptions:\n  dryRun: true\n");
		JobSchedule schedule = JobScheduleFiles.load(this.dir, JOBS).get(0);

		// when
		JobParameters parameters = schedule.parameters(Instant.parse("2026-01-02T03:00:00Z"));

		// then
		assertThat(parameters.getIdentifyingParameters()).singleElement()
			.satisfies((parameter) -> assertThat(parameter.name()).isEqualTo(JobSchedule.SLOT));
		assertThat(parameters.getString(JobSchedule.SLOT)).isEqualTo("2026-01-02T03:00:00Z");
		assertThat(parameters.getString("dryRun")).isEqualTo("true");
	}

	@Test
	void shouldRefuseABadCronNamingTheFile() throws IOException {
		write("quick.yml", "job: quickJob\nschedule: \"0 0 3 * *\"\n");

		assertThatExceptionOfType(ScheduleFileException.class).isThrownBy(() -> JobScheduleFiles.load(this.dir, JOBS))
			.withMessageStartingWith(this.dir.resolve("quick.yml") + ": bad schedule '0 0 3 * *'")
			.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("\n"));
	}

	@Test
	void shouldRefuseACronThatNeverFires() throws IOException {
		write("quick.yml", "job: quickJob\nschedule: \"0 0 4 31 2 *\"\n");

		assertThatExceptionOfType(ScheduleFileException.class).isThrownBy(() -> JobScheduleFiles.load(this.dir, JOBS))
			.withMessage(this.dir.resolve("quick.yml") + ": schedule '0 0 4 31 2 *' never fires (no such date)");
	}

	@Test
	void shouldRefuseAnEnabledScheduleOfAnUnknownJob() throws IOException {
		write("typo.yml", "job: quikJob\nenabled: true\nschedule: \"0 0 3 * * *\"\n");

		assertThatExceptionOfType(ScheduleFileException.class).isThrownBy(() -> JobScheduleFiles.load(this.dir, JOBS))
			.withMessage(this.dir.resolve("typo.yml") + ": no job named 'quikJob' (known jobs: quickJob, slowJob)");
	}

	@Test
	void shouldSkipADisabledScheduleOfAnUnknownJob() throws IOException {
		// given
		write("later.yml", "job: notYetWrittenJob\nenabled: false\nschedule: \"0 0 3 * * *\"\n");
		write("quick.yml", "job: quickJob\nschedule: \"0 0 3 * * *\"\n");

		// when
		List<JobSchedule> schedules = JobScheduleFiles.load(this.dir, JOBS);

		// then
		assertThat(schedules).extracting(JobSchedule::job).containsExactly("quickJob");
	}

	@Test
	void shouldKeepADisabledScheduleOfAKnownJob() throws IOException {
		write("quick.yml", "job: quickJob\nenabled: false\nschedule: \"0 0 3 * * *\"\n");

		assertThat(JobScheduleFiles.load(this.dir, JOBS)).singleElement()
			.satisfies((schedule) -> assertThat(schedule.enabled()).isFalse());
	}

	@Test
	void shouldRefuseTwoSchedulesOfTheSameJob() throws IOException {
		write("a.yml", "job: quickJob\nschedule: \"0 0 3 * * *\"\n");
		write("b.yml", "job: quickJob\nschedule: \"0 0 4 * * *\"\n");

		assertThatExceptionOfType(ScheduleFileException.class).isThrownBy(() -> JobScheduleFiles.load(this.dir, JOBS))
			.withMessage(this.dir.resolve("b.yml") + ": job 'quickJob' is already scheduled by "
					+ this.dir.resolve("a.yml"));
	}

	@Test
	void shouldRefuseAFileThatIsNotValidYaml() throws IOException {
		write("broken.yml", "job: quickJob\nschedule: [\"0 0 3 * * *\"\n");

		assertThatExceptionOfType(ScheduleFileException.class).isThrownBy(() -> JobScheduleFiles.load(this.dir, JOBS))
			.withMessageStartingWith(this.dir.resolve("broken.yml") + ": not valid YAML: ")
			.satisfies((ex) -> assertThat(ex.getMessage()).doesNotContain("\n"));
	}

	@Test
	void shouldRefuseAnUnknownKey() throws IOException {
		write("quick.yml", "job: quickJob\nschedlue: \"0 0 3 * * *\"\n");

		assertThatExceptionOfType(ScheduleFileException.class).isThrownBy(() -> JobScheduleFiles.load(this.dir, JOBS))
			.withMessageContaining("quick.yml: unknown key 'schedlue'");
	}

	@Test
	void shouldRefuseAMissingSchedule() throws IOException {
		write("quick.yml", "job: quickJob\n");

		assertThatExceptionOfType(ScheduleFileException.class).isThrownBy(() -> JobScheduleFiles.load(this.dir, JOBS))
			.withMessageContaining("quick.yml: missing 'schedule'");
	}

	@Test
	void shouldRefuseAnUnknownZone() throws IOException {
		write("quick.yml", "job: quickJob\nschedule: \"0 0 3 * * *\"\nzone: Mars/Olympus\n");

		assertThatExceptionOfType(ScheduleFileException.class).isThrownBy(() -> JobScheduleFiles.load(this.dir, JOBS))
			.withMessageContaining("quick.yml: unknown zone 'Mars/Olympus'");
	}

	@Test
	void shouldRefuseTheReservedSlotOption() throws IOException {
		write("quick.yml", "job: quickJob\nschedule: \"0 0 3 * * *\"\noptions:\n  schedule.slot: x\n");

		assertThatExceptionOfType(ScheduleFileException.class).isThrownBy(() -> JobScheduleFiles.load(this.dir, JOBS))
			.withMessageContaining("option 'schedule.slot' is reserved");
	}

	@Test
	void shouldHaveNoScheduleWithoutAFolder() {
		assertThat(JobScheduleFiles.load(this.dir.resolve("missing"), JOBS)).isEmpty();
	}

	@Test
	void shouldRefuseTheShippedFilesWhenAnEnabledJobIsMissing() {
		assertThatExceptionOfType(ScheduleFileException.class)
			.isThrownBy(
					() -> JobScheduleFiles.load(Path.of("jobs"), SimpleJobDefinition.definitions("pruneHistoryJob")))
			.withMessageContaining("no job named");
	}

	@Test
	void shouldLoadTheShippedFilesOnceTheMaintenanceJobsExist() {
		List<JobSchedule> schedules = JobScheduleFiles.load(Path.of("jobs"),
				SimpleJobDefinition.definitions(lenient("pruneHistoryJob"), lenient("reportMemoryJob"),
						lenient("enforceTtlJob"), lenient("purgeStatesJob")));

		assertThat(schedules).extracting(JobSchedule::job)
			.containsExactlyInAnyOrder("pruneHistoryJob", "reportMemoryJob", "enforceTtlJob", "purgeStatesJob");
		assertThat(schedules).allMatch(JobSchedule::enabled);
	}

	@Test
	void shouldRefuseAMisspeltOptionNamingTheFileTheOptionAndTheOneMeant() throws IOException {
		write("quick.yml", "job: quickJob\nschedule: \"0 0 3 * * *\"\noptions:\n  dryrun: true\n");

		assertThatExceptionOfType(ScheduleFileException.class).isThrownBy(() -> JobScheduleFiles.load(this.dir, JOBS))
			.withMessage(this.dir.resolve("quick.yml")
					+ ": quickJob: unknown option 'dryrun' (did you mean dryRun?); it takes dryRun, limit");
	}

	@Test
	void shouldRefuseAValueOfTheWrongKind() throws IOException {
		write("quick.yml", "job: quickJob\nschedule: \"0 0 3 * * *\"\noptions:\n  dryRun: \"yes\"\n");

		assertThatExceptionOfType(ScheduleFileException.class).isThrownBy(() -> JobScheduleFiles.load(this.dir, JOBS))
			.withMessage(this.dir.resolve("quick.yml") + ": quickJob: option dryRun must be true or false, not 'yes'");
	}

	@Test
	void shouldRefuseBadOptionsOfADisabledSchedule() throws IOException {
		write("quick.yml", "job: quickJob\nenabled: false\nschedule: \"0 0 3 * * *\"\noptions:\n  limit: many\n");

		assertThatExceptionOfType(ScheduleFileException.class).isThrownBy(() -> JobScheduleFiles.load(this.dir, JOBS))
			.withMessage(this.dir.resolve("quick.yml") + ": quickJob: option limit must be a whole number, not 'many'");
	}

	/** A job taking the options the shipped files give, of any value. */
	private static JobDefinition lenient(String name) {
		return new SimpleJobDefinition(name,
				java.util.stream.Stream.of("store", "values", "maxTtl", "fromAge", "dryRun", "archive")
					.map((option) -> JobOption.of(option, OptionType.TEXT, "", option))
					.toList());
	}

	private void write(String name, String content) throws IOException {
		Files.writeString(this.dir.resolve(name), content);
	}

}
