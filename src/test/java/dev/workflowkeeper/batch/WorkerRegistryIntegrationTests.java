package dev.workflowkeeper.batch;

import java.nio.file.Path;
import java.time.LocalDateTime;

import javax.sql.DataSource;

import dev.workflowkeeper.scheduling.TestBatchContexts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.jdbc.core.JdbcTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker registry's rules on a real history: which executions nobody runs, and what
 * it writes for them.
 */
class WorkerRegistryIntegrationTests {

	@TempDir
	Path tmp;

	private ApplicationContextRunner history() {
		return TestBatchContexts.batch(TestBatchContexts.h2Url(this.tmp))
			.withPropertyValues("keeper.workers.heartbeat-interval=1s", "keeper.workers.takeover-after=5s");
	}

	@Test
	void shouldTellAnExecutionNobodyRunsByItsWorkersHeartbeatOrByTheJobThreadsOfThisWorker() {
		history().run((context) -> {
			// given: executions left STARTED naming this worker (no job thread of it runs
			// them), a worker heartbeating, one silent for an hour, one never seen
			WorkerRegistry workers = context.getBean(WorkerRegistry.class);
			JdbcTemplate jdbc = new JdbcTemplate(context.getBean(DataSource.class));
			JobRepository repository = context.getBean(JobRepository.class);
			assertThat(workers.heartbeat()).isTrue();
			jdbc.update("INSERT INTO " + WorkerRegistry.TABLE + " (WORKER_ID, KIND, STARTED, HEARTBEAT) "
					+ "VALUES ('fresh', 'serve', LOCALTIMESTAMP, LOCALTIMESTAMP)");
			jdbc.update("INSERT INTO " + WorkerRegistry.TABLE + " (WORKER_ID, KIND, STARTED, HEARTBEAT) "
					+ "VALUES ('silent', 'serve', LOCALTIMESTAMP, DATEADD('HOUR', -1, LOCALTIMESTAMP))");

			// when
			JobExecution own = started(repository, workers.id());
			JobExecution ofFresh = started(repository, "fresh");
			JobExecution ofSilent = started(repository, "silent");
			JobExecution ofUnknown = started(repository, "never-seen");

			// then
			assertThat(workers.isGone(own)).isTrue();
			assertThat(workers.isOwnAndGone(own)).isTrue();
			assertThat(workers.isGone(ofFresh)).isFalse();
			assertThat(workers.isGone(ofSilent)).isTrue();
			assertThat(workers.isOwnAndGone(ofSilent)).isFalse();
			assertThat(workers.isGone(ofUnknown)).isTrue();
		});
	}

	@Test
	void shouldRecordTheEndItsJobThreadLeftWhenTheHistoryMissedIt() {
		history().run((context) -> {
			// given: two executions whose job threads here ended them, COMPLETED and
			// UNKNOWN (a step that could not record its end), while the history still
			// says STARTED
			WorkerRegistry workers = context.getBean(WorkerRegistry.class);
			JobRepository repository = context.getBean(JobRepository.class);
			JobExecution completed = started(repository, workers.id());
			JobExecution unknown = started(repository, workers.id());
			workers.started(completed);
			workers.started(unknown);
			assertThat(workers.isGone(completed)).isFalse();
			completed.setStatus(BatchStatus.COMPLETED);
			completed.setExitStatus(ExitStatus.COMPLETED);
			completed.setEndTime(LocalDateTime.now());
			unknown.setStatus(BatchStatus.UNKNOWN);
			unknown.setExitStatus(ExitStatus.UNKNOWN);
			workers.ended(completed);
			workers.ended(unknown);

			// when: they are settled (here, or by the heartbeat a moment later)
			workers.settle(repository.getJobExecution(completed.getId()), "unused");
			workers.settle(repository.getJobExecution(unknown.getId()), "unused");

			// then: what happened is recorded, UNKNOWN as a restartable FAILED
			JobExecution recorded = repository.getJobExecution(completed.getId());
			assertThat(recorded.getStatus()).isEqualTo(BatchStatus.COMPLETED);
			assertThat(recorded.getExitStatus().getExitCode()).isEqualTo("COMPLETED");
			assertThat(recorded.getExitStatus().getExitDescription()).contains("recorded late");
			assertThat(recorded.getEndTime()).isNotNull();
			assertThat(repository.getJobExecution(unknown.getId()).getStatus()).isEqualTo(BatchStatus.FAILED);
			// and: settling again changes nothing
			assertThat(workers.settle(repository.getJobExecution(completed.getId()), "again")).isFalse();
		});
	}

	private static JobExecution started(JobRepository repository, String worker) {
		JobParameters parameters = new JobParametersBuilder().addLong("run", System.nanoTime()).toJobParameters();
		JobInstance instance = repository.createJobInstance("quickJob", parameters);
		ExecutionContext context = new ExecutionContext();
		context.putString(WorkerRegistry.WORKER, worker);
		JobExecution execution = repository.createJobExecution(instance, parameters, context);
		execution.setStartTime(LocalDateTime.now());
		execution.setStatus(BatchStatus.STARTED);
		repository.update(execution);
		repository.updateExecutionContext(execution);
		return repository.getJobExecution(execution.getId());
	}

}
