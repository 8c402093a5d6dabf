package dev.workflowkeeper.retention;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;

import javax.sql.DataSource;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.scheduling.TestBatchContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code pruneHistoryJob} on a history with old, recent and running instances, and a data
 * folder with old and recent files.
 */
class PruneHistoryJobIntegrationTests {

	private static final Duration DAYS_40 = Duration.ofDays(40);

	@TempDir
	Path tmp;

	private ApplicationContextRunner application() {
		return TestBatchContexts.batch(TestBatchContexts.h2Url(this.tmp))
			.withUserConfiguration(KeeperSettings.class, PruneHistoryJobConfiguration.class,
					PruneHistoryJobDefinition.class)
			.withPropertyValues("keeper.data-dir=" + this.tmp.resolve("data"), "keeper.retention.history=30d",
					"keeper.retention.archives=30d", "keeper.retention.batch-size=2");
	}

	@Test
	void shouldDeleteExactlyTheOldInstancesAndFiles() {
		application().run((context) -> {
			// given: five instances (batch size 2, so it takes pages), running ones among
			// them
			JobRepository repository = context.getBean(JobRepository.class);
			JobInstance old = instance(repository, "someJob", 1, ended(DAYS_40));
			JobInstance otherOld = instance(repository, "otherJob", 1, ended(Duration.ofDays(31)));
			JobInstance recent = instance(repository, "someJob", 2, ended(Duration.ofDays(1)));
			JobInstance oldThenRetried = instance(repository, "someJob", 3, ended(DAYS_40), ended(Duration.ofDays(2)));
			JobInstance running = instance(repository, "someJob", 4, ended(DAYS_40), running(DAYS_40));
			Files files = new Files(this.tmp.resolve("data"));
			Path oldArchive = files.write("archive/2025/states-1.jsonl.gz", DAYS_40);
			Path oldRejects = files.write("rejects/migrate-1.jsonl", DAYS_40);
			Path recentArchive = files.write("archive/states-2.jsonl.gz", Duration.ofDays(2));
			Path recentRejects = files.write("rejects/migrate-2.jsonl", Duration.ZERO);
			Path elsewhere = files.write("snapshots/old.json", DAYS_40);

			// when
			JobExecution execution = prune(context, false);

			// then
			assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
			assertThat(repository.getJobInstance(old.getInstanceId())).isNull();
			assertThat(repository.getJobInstance(otherOld.getInstanceId())).isNull();
			assertThat(repository.getJobInstance(recent.getInstanceId())).isNotNull();
			assertThat(repository.getJobInstance(oldThenRetried.getInstanceId())).isNotNull();
			assertThat(repository.getJobInstance(running.getInstanceId())).isNotNull();
			assertThat(repository.getJobExecutions(running)).hasSize(2);
			assertThat(repository.getJobInstance(execution.getJobInstance().getInstanceId())).isNotNull();
			// the executions, step executions and contexts went with their instances
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			assertThat(jdbc.queryForObject(
					"select count(*) from BATCH_JOB_EXECUTION e where not exists "
							+ "(select 1 from BATCH_JOB_INSTANCE i where i.JOB_INSTANCE_ID = e.JOB_INSTANCE_ID)",
					Long.class))
				.isZero();
			assertThat(jdbc.queryForObject(
					"select count(*) from BATCH_JOB_EXECUTION_CONTEXT c where not exists "
							+ "(select 1 from BATCH_JOB_EXECUTION e where e.JOB_EXECUTION_ID = c.JOB_EXECUTION_ID)",
					Long.class))
				.isZero();
			assertThat(jdbc.queryForObject(
					"select count(*) from BATCH_STEP_EXECUTION_CONTEXT c where not exists "
							+ "(select 1 from BATCH_STEP_EXECUTION s where s.STEP_EXECUTION_ID = c.STEP_EXECUTION_ID)",
					Long.class))
				.isZero();
			assertThat(jdbc.queryForObject("select count(*) from BATCH_STEP_EXECUTION where STEP_NAME = 'someStep'",
					Long.class))
				.isEqualTo(5);
			assertThat(oldArchive).doesNotExist();
			assertThat(oldRejects).doesNotExist();
			assertThat(recentArchive).exists();
			assertThat(recentRejects).exists();
			assertThat(elsewhere).exists();
			assertThat(oldArchive.getParent()).isDirectory();
			ExecutionContext counts = repository.getJobExecution(execution.getId()).getExecutionContext();
			assertThat(counts.getLong(ExpiredInstancesTasklet.DELETED)).isEqualTo(2);
			assertThat(counts.getLong(ExpiredInstancesTasklet.KEPT)).isEqualTo(4);
			assertThat(counts.getLong(ExpiredFilesTasklet.DELETED)).isEqualTo(2);
		});
	}

	@Test
	void shouldOnlyCountInADryRun() {
		application().run((context) -> {
			// given
			JobRepository repository = context.getBean(JobRepository.class);
			JobInstance old = instance(repository, "someJob", 1, ended(DAYS_40));
			JobInstance otherOld = instance(repository, "someJob", 2, ended(DAYS_40));
			JobInstance thirdOld = instance(repository, "someJob", 3, ended(DAYS_40));
			Path oldArchive = new Files(this.tmp.resolve("data")).write("archive/states-1.jsonl.gz", DAYS_40);

			// when
			JobExecution execution = prune(context, true);

			// then
			assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
			assertThat(repository.getJobInstance(old.getInstanceId())).isNotNull();
			assertThat(repository.getJobInstance(otherOld.getInstanceId())).isNotNull();
			assertThat(repository.getJobInstance(thirdOld.getInstanceId())).isNotNull();
			assertThat(oldArchive).exists();
			ExecutionContext counts = repository.getJobExecution(execution.getId()).getExecutionContext();
			assertThat(counts.getLong(ExpiredInstancesTasklet.DELETED)).isEqualTo(3);
			assertThat(counts.getLong(ExpiredFilesTasklet.DELETED)).isEqualTo(1);
		});
	}

	@Test
	void shouldEndAtOnceOnAnEmptyHistoryWithoutDataFolders() {
		application().run((context) -> {
			JobExecution execution = prune(context, false);

			assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
			ExecutionContext counts = context.getBean(JobRepository.class)
				.getJobExecution(execution.getId())
				.getExecutionContext();
			assertThat(counts.getLong(ExpiredInstancesTasklet.DELETED)).isZero();
			assertThat(counts.getLong(ExpiredFilesTasklet.DELETED)).isZero();
		});
	}

	private static JobExecution prune(ApplicationContext context, boolean dryRun) throws Exception {
		JobParameters parameters = new JobParametersBuilder().addString("run", "1")
			.addString("dryRun", String.valueOf(dryRun), false)
			.toJobParameters();
		return context.getBean(JobOperator.class).start(context.getBean("pruneHistoryJob", Job.class), parameters);
	}

	/**
	 * How one execution of a test instance went: its status and how long ago it started
	 * and ended.
	 */
	private record Run(BatchStatus status, Duration startedAgo, Duration endedAgo) {
	}

	private static Run ended(Duration ago) {
		return new Run(BatchStatus.COMPLETED, ago.plusMinutes(5), ago);
	}

	private static Run running(Duration startedAgo) {
		return new Run(BatchStatus.STARTED, startedAgo, null);
	}

	/** Records an instance with one step execution per run, as a job would have. */
	private static JobInstance instance(JobRepository repository, String jobName, long id, Run... runs) {
		JobParameters parameters = new JobParametersBuilder().addLong("id", id).toJobParameters();
		JobInstance instance = repository.createJobInstance(jobName, parameters);
		for (Run run : runs) {
			JobExecution execution = repository.createJobExecution(instance, parameters, new ExecutionContext());
			execution.getExecutionContext().putString("test", "context");
			repository.updateExecutionContext(execution);
			StepExecution step = repository.createStepExecution("someStep", execution);
			LocalDateTime now = LocalDateTime.now();
			execution.setStartTime(now.minus(run.startedAgo()));
			step.setStartTime(now.minus(run.startedAgo()));
			execution.setStatus(run.status());
			step.setStatus(run.status());
			if (run.endedAgo() != null) {
				execution.setEndTime(now.minus(run.endedAgo()));
				execution.setExitStatus(ExitStatus.COMPLETED);
				step.setEndTime(now.minus(run.endedAgo()));
				step.setExitStatus(ExitStatus.COMPLETED);
			}
			repository.update(step);
			repository.update(execution);
		}
		return instance;
	}

	/** Writes files of a given age in a folder. */
	private record Files(Path root) {

		Path write(String name, Duration age) throws IOException {
			Path file = this.root.resolve(name);
			java.nio.file.Files.createDirectories(file.getParent());
			java.nio.file.Files.writeString(file, name);
			java.nio.file.Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
			return file;
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableConfigurationProperties(KeeperProperties.class)
	static class KeeperSettings {

	}

}
