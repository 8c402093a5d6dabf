package dev.workflowkeeper.ops.health;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import dev.workflowkeeper.scheduling.JobSchedule;
import dev.workflowkeeper.scheduling.TestBatchContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.workflowkeeper.batch.HistoryQueries;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * When the scheduled jobs count as unhealthy: a failed last run, a schedule overdue by
 * more than a period, judged on a real job repository with a clock the test sets.
 */
class WorkflowJobsHealthIndicatorTests {

	static final String JOB = "enforceTtlJob";

	/** Every 15 minutes, on the quarter hour. */
	static final JobSchedule EVERY_15_MINUTES = new JobSchedule("ttl.yml", JOB, true, "0 */15 * * * *", ZoneOffset.UTC,
			Map.of("dryRun", false), new JobParametersBuilder().addString("dryRun", "false").toJobParameters());

	static final Instant STARTED = Instant.parse("2026-11-25T10:01:00Z");

	@TempDir
	Path dir;

	@Test
	void shouldBeUpWhileASchedulesFirstSlotMayStillCome() {
		TestBatchContexts.batch(TestBatchContexts.h2Url(this.dir)).run((context) -> {
			// given a worker that started 29 minutes ago (two periods are 30) and no run
			// yet
			WorkflowJobsHealthIndicator indicator = indicator(context.getBean(DataSource.class),
					STARTED.plus(Duration.ofMinutes(29)), List.of(EVERY_15_MINUTES));

			// when
			Health health = indicator.health();

			// then
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(job(health)).containsEntry("schedule", "0 */15 * * * *")
				.containsEntry("nextFireTime", "2026-11-25T10:45:00Z")
				.doesNotContainKeys("lastStatus", "problem");
		});
	}

	@Test
	void shouldBeDownWhenAScheduleNeverFiredForMoreThanTwoPeriods() {
		TestBatchContexts.batch(TestBatchContexts.h2Url(this.dir)).run((context) -> {
			// given
			WorkflowJobsHealthIndicator indicator = indicator(context.getBean(DataSource.class),
					STARTED.plus(Duration.ofMinutes(31)), List.of(EVERY_15_MINUTES));

			// when
			Health health = indicator.health();

			// then
			assertThat(health.getStatus()).isEqualTo(Status.DOWN);
			assertThat((String) job(health).get("problem")).startsWith("overdue").contains("PT15M");
		});
	}

	@Test
	void shouldBeDownWhenTheLastSlotRanMoreThanTwoPeriodsAgoAndUpWhenItIsRecent() {
		TestBatchContexts.batch(TestBatchContexts.h2Url(this.dir)).run((context) -> {
			// given a completed run of the 10:15 slot
			JobRepository repository = context.getBean(JobRepository.class);
			Instant slot = Instant.parse("2026-11-25T10:15:00Z");
			long id = record(repository, JOB, slotParameters(slot), slot, BatchStatus.COMPLETED, "COMPLETED");
			DataSource dataSource = context.getBean(DataSource.class);

			// when
			Health recent = indicator(dataSource, slot.plus(Duration.ofMinutes(29)), List.of(EVERY_15_MINUTES))
				.health();
			Health overdue = indicator(dataSource, slot.plus(Duration.ofMinutes(31)), List.of(EVERY_15_MINUTES))
				.health();

			// then
			assertThat(recent.getStatus()).isEqualTo(Status.UP);
			assertThat(job(recent)).containsEntry("lastExecution", id)
				.containsEntry("lastStatus", "COMPLETED")
				.containsEntry("lastStart", "2026-11-25T10:15:00Z");
			assertThat(overdue.getStatus()).isEqualTo(Status.DOWN);
			assertThat((String) job(overdue).get("problem"))
				.startsWith("overdue: no slot fired since 2026-11-25T10:15:00Z");
		});
	}

	@Test
	void shouldBeDownWhileTheLastScheduledRunFailedUntilALaterOneCompletes() {
		TestBatchContexts.batch(TestBatchContexts.h2Url(this.dir)).run((context) -> {
			// given a failed run of the 10:15 slot
			JobRepository repository = context.getBean(JobRepository.class);
			DataSource dataSource = context.getBean(DataSource.class);
			Instant first = Instant.parse("2026-11-25T10:15:00Z");
			long failed = record(repository, JOB, slotParameters(first), first, BatchStatus.FAILED, "FAILED");

			// when
			Health afterFailure = indicator(dataSource, first.plus(Duration.ofMinutes(5)), List.of(EVERY_15_MINUTES))
				.health();
			Instant second = Instant.parse("2026-11-25T10:30:00Z");
			record(repository, JOB, slotParameters(second), second, BatchStatus.COMPLETED, "COMPLETED");
			Health afterSuccess = indicator(dataSource, second.plus(Duration.ofMinutes(5)), List.of(EVERY_15_MINUTES))
				.health();

			// then
			assertThat(afterFailure.getStatus()).isEqualTo(Status.DOWN);
			assertThat(job(afterFailure)).containsEntry("lastStatus", "FAILED")
				.containsEntry("problem", "the last run (execution " + failed + ") failed");
			assertThat(afterSuccess.getStatus()).isEqualTo(Status.UP);
			assertThat(job(afterSuccess)).containsEntry("lastStatus", "COMPLETED").doesNotContainKey("problem");
		});
	}

	@Test
	void shouldIgnoreOneOffRunsSkippedSlotsAndDisabledSchedules() {
		TestBatchContexts.batch(TestBatchContexts.h2Url(this.dir)).run((context) -> {
			// given a completed slot run, then a failed one-off run and a skipped slot
			JobRepository repository = context.getBean(JobRepository.class);
			Instant slot = Instant.parse("2026-11-25T10:15:00Z");
			long completed = record(repository, JOB, slotParameters(slot), slot, BatchStatus.COMPLETED, "COMPLETED");
			record(repository, JOB,
					new JobParametersBuilder().addString("store", "memory:").addLong("run", 1L).toJobParameters(),
					slot.plusSeconds(60), BatchStatus.FAILED, "FAILED");
			Instant skipped = Instant.parse("2026-11-25T10:30:00Z");
			record(repository, JOB, slotParameters(skipped), skipped, BatchStatus.ABANDONED,
					HistoryQueries.SKIPPED_OVERLAP);
			JobSchedule disabled = new JobSchedule("purge.yml", "purgeStatesJob", false, "0 */15 * * * *",
					ZoneOffset.UTC, Map.of(), new JobParameters());

			// when: 40 minutes after the completed run, 10 after the skipped slot
			Health health = indicator(context.getBean(DataSource.class), skipped.plus(Duration.ofMinutes(10)),
					List.of(EVERY_15_MINUTES, disabled))
				.health();

			// then
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(job(health)).containsEntry("lastExecution", completed).containsEntry("lastStatus", "COMPLETED");
			assertThat(jobs(health)).containsOnlyKeys(JOB);
		});
	}

	@Test
	void shouldBeUpWithoutScheduling() {
		TestBatchContexts.batch(TestBatchContexts.h2Url(this.dir)).run((context) -> {
			// given
			WorkflowJobsHealthIndicator indicator = new WorkflowJobsHealthIndicator(() -> null,
					new HistoryQueries(new JdbcTemplate(context.getBean(DataSource.class)), "BATCH_"),
					Clock.systemUTC(), Instant.EPOCH);

			// when
			Health health = indicator.health();

			// then
			assertThat(health.getStatus()).isEqualTo(Status.UP);
			assertThat(health.getDetails()).containsEntry("schedulingEnabled", false);
		});
	}

	private static WorkflowJobsHealthIndicator indicator(DataSource dataSource, Instant now,
			List<JobSchedule> schedules) {
		return new WorkflowJobsHealthIndicator(() -> schedules,
				new HistoryQueries(new JdbcTemplate(dataSource), "BATCH_"), Clock.fixed(now, ZoneOffset.UTC), STARTED);
	}

	private static JobParameters slotParameters(Instant slot) {
		return new JobParametersBuilder().addString(JobSchedule.SLOT, slot.toString(), true).toJobParameters();
	}

	/** Writes an ended execution into the history, as a run would leave it. */
	private static long record(JobRepository repository, String job, JobParameters parameters, Instant start,
			BatchStatus status, String exitCode) {
		JobInstance instance = repository.createJobInstance(job, parameters);
		JobExecution execution = repository.createJobExecution(instance, parameters, new ExecutionContext());
		execution.setStartTime(LocalDateTime.ofInstant(start, ZoneId.systemDefault()));
		execution.setEndTime(LocalDateTime.ofInstant(start.plus(1, ChronoUnit.MINUTES), ZoneId.systemDefault()));
		execution.setStatus(status);
		execution.setExitStatus(new ExitStatus(exitCode));
		repository.update(execution);
		return execution.getId();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> jobs(Health health) {
		return (Map<String, Object>) health.getDetails().get("jobs");
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> job(Health health) {
		return (Map<String, Object>) jobs(health).get(JOB);
	}

}
