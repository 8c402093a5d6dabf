package dev.workflowkeeper.scheduling;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.workflowkeeper.batch.JobOwnerListener;
import dev.workflowkeeper.batch.WorkersConfiguration;
import dev.workflowkeeper.support.WorkerSettings;

import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.job.SimpleJobDefinition;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.batch.autoconfigure.BatchAutoConfiguration;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * A small batch application for tests: Boot's JDBC job repository on an H2 file database
 * (AUTO_SERVER, so that several contexts can share it, like several workers), and two
 * test-only jobs.
 */
public final class TestBatchContexts {

	private TestBatchContexts() {
	}

	/**
	 * The JDBC URL of the history database in {@code dir}, as
	 * {@link WorkerSettings#historyUrl} makes it.
	 */
	public static String h2Url(Path dir) {
		return WorkerSettings.historyUrl(dir);
	}

	/**
	 * A context with the job repository on {@code url}, the owner listener, and the test
	 * jobs.
	 */
	public static ApplicationContextRunner batch(String url) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
					BatchAutoConfiguration.class, BatchJdbcAutoConfiguration.class))
			.withUserConfiguration(WorkersConfiguration.class, JobOwnerListener.class, TestJobs.class)
			.withBean(JobDefinitions.class, () -> SimpleJobDefinition.definitions("quickJob", "slowJob"))
			.withPropertyValues("spring.datasource.url=" + url, "spring.batch.jdbc.initialize-schema=always",
					"spring.batch.job.enabled=false");
	}

	/** Holds {@code slowJob} until the test releases it. */
	public static final class Gate {

		private final CountDownLatch entered = new CountDownLatch(1);

		private final CountDownLatch released = new CountDownLatch(1);

		public void awaitEntered() throws InterruptedException {
			if (!this.entered.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("slowJob did not start");
			}
		}

		public void release() {
			this.released.countDown();
		}

		void pass() throws InterruptedException {
			this.entered.countDown();
			if (!this.released.await(30, TimeUnit.SECONDS)) {
				throw new IllegalStateException("slowJob was never released");
			}
		}

	}

	/**
	 * {@code quickJob} completes at once (after a short pause); {@code slowJob} waits at
	 * the gate.
	 */
	@Configuration(proxyBeanMethods = false)
	public static class TestJobs {

		/** Long enough for concurrent firings to overlap inside the repository. */
		static final Duration QUICK_PAUSE = Duration.ofMillis(200);

		@Bean
		Gate gate() {
			return new Gate();
		}

		@Bean
		Job quickJob(JobRepository jobRepository, PlatformTransactionManager transactionManager,
				JobOwnerListener ownerListener) {
			return new JobBuilder("quickJob", jobRepository).listener(ownerListener)
				.start(new StepBuilder("quickStep", jobRepository).tasklet((contribution, chunkContext) -> {
					Thread.sleep(QUICK_PAUSE.toMillis());
					return RepeatStatus.FINISHED;
				}, transactionManager).build())
				.build();
		}

		@Bean
		Job slowJob(JobRepository jobRepository, PlatformTransactionManager transactionManager,
				JobOwnerListener ownerListener, Gate gate) {
			return new JobBuilder("slowJob", jobRepository).listener(ownerListener)
				.start(new StepBuilder("slowStep", jobRepository).tasklet((contribution, chunkContext) -> {
					gate.pass();
					return RepeatStatus.FINISHED;
				}, transactionManager).build())
				.build();
		}

	}

}
