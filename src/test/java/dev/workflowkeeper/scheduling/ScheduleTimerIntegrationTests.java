package dev.workflowkeeper.scheduling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import dev.workflowkeeper.scheduling.ScheduleRegistry.ScheduleStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The timer wired from the schedule files: on only when asked, fails fast, fires slots.
 */
class ScheduleTimerIntegrationTests {

	@TempDir
	Path tmp;

	private ApplicationContextRunner worker() {
		return TestBatchContexts.batch(TestBatchContexts.h2Url(this.tmp))
			.withUserConfiguration(SchedulingConfiguration.class)
			.withPropertyValues("keeper.scheduling.jobs-dir=" + this.tmp.resolve("jobs"));
	}

	@Test
	void shouldNotScheduleAnythingUnlessTurnedOn() throws IOException {
		writeJob("quick.yml", "job: quickJob\nschedule: \"* * * * * *\"\n");

		worker().run((context) -> {
			assertThat(context).hasNotFailed();
			assertThat(context).doesNotHaveBean(ScheduleTimer.class);
			assertThat(context).doesNotHaveBean(ScheduleRegistry.class);
		});
	}

	@Test
	void shouldFailToStartNamingTheBadFile() throws IOException {
		writeJob("quick.yml", "job: quickJob\nschedule: \"every day\"\n");

		worker().withPropertyValues("keeper.scheduling.enabled=true").run((context) -> {
			assertThat(context).hasFailed();
			assertThat(context.getStartupFailure()).rootCause()
				.isInstanceOf(ScheduleFileException.class)
				.hasMessageStartingWith(this.tmp.resolve("jobs").resolve("quick.yml") + ": bad schedule 'every day'");
		});
	}

	@Test
	void shouldListTheSchedulesWithTheirNextFireTime() throws IOException {
		// given
		writeJob("quick.yml", "job: quickJob\nschedule: \"0 0 3 * * *\"\n");
		writeJob("slow.yml", "job: slowJob\nenabled: false\nschedule: \"0 0 4 * * *\"\n");
		writeJob("later.yml", "job: notWrittenYetJob\nenabled: false\nschedule: \"0 0 5 * * *\"\n");

		worker().withPropertyValues("keeper.scheduling.enabled=true").run((context) -> {
			// when
			List<ScheduleStatus> statuses = context.getBean(ScheduleRegistry.class).statuses();

			// then
			assertThat(statuses).extracting(ScheduleStatus::job).containsExactly("quickJob", "slowJob");
			ScheduleStatus quick = statuses.get(0);
			assertThat(quick.enabled()).isTrue();
			assertThat(quick.nextFireTime()).isAfter(Instant.now()).isBefore(Instant.now().plus(Duration.ofDays(1)));
			assertThat(quick.nextFireTime().toString()).endsWith("T03:00:00Z");
			assertThat(statuses.get(1).enabled()).isFalse();
			assertThat(statuses.get(1).nextFireTime()).isNull();
		});
	}

	@Test
	void shouldFireAnEnabledScheduleOncePerSlot() throws IOException {
		// given: every second
		writeJob("quick.yml", "job: quickJob\nschedule: \"* * * * * *\"\n");
		writeJob("slow.yml", "job: slowJob\nenabled: false\nschedule: \"* * * * * *\"\n");

		worker().withPropertyValues("keeper.scheduling.enabled=true").run((context) -> {
			// when: the timer runs for a while
			JobRepository repository = context.getBean(JobRepository.class);
			long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
			while (completed(repository) < 2 && System.nanoTime() < deadline) {
				Thread.sleep(100);
			}
			context.getBean(ScheduleTimer.class).stop();

			// then: runs of distinct whole-second slots, and nothing of the disabled
			// schedule
			List<JobInstance> instances = repository.getJobInstances("quickJob", 0, 100);
			assertThat(completed(repository)).isGreaterThanOrEqualTo(2);
			List<String> slots = instances.stream()
				.map((instance) -> repository.getLastJobExecution(instance)
					.getJobParameters()
					.getString(JobSchedule.SLOT))
				.toList();
			assertThat(slots).doesNotHaveDuplicates()
				.allSatisfy((slot) -> assertThat(Instant.parse(slot).getNano()).isZero());
			assertThat(repository.getJobInstances("slowJob", 0, 10)).isEmpty();
		});
	}

	private static long completed(JobRepository repository) {
		return repository.getJobInstances("quickJob", 0, 100)
			.stream()
			.map(repository::getLastJobExecution)
			.filter((execution) -> execution != null && execution.getStatus() == BatchStatus.COMPLETED)
			.map(JobExecution::getId)
			.count();
	}

	private void writeJob(String name, String content) throws IOException {
		Files.createDirectories(this.tmp.resolve("jobs"));
		Files.writeString(this.tmp.resolve("jobs").resolve(name), content);
	}

}
