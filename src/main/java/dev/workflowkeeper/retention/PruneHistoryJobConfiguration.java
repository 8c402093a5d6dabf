package dev.workflowkeeper.retention;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.List;

import dev.workflowkeeper.batch.JobOwnerListener;
import dev.workflowkeeper.config.KeeperProperties;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The retention job: keeps the job history and the data folder from growing without end.
 * <ol>
 * <li>{@code pruneHistoryInstancesStep} deletes the job instances whose executions all
 * ended more than {@code keeper.retention.history} ago (never one that runs);</li>
 * <li>{@code pruneHistoryFilesStep} deletes the files under {@code <data-dir>/archive/}
 * and {@code <data-dir>/rejects/} last modified more than
 * {@code keeper.retention.archives} ago.</li>
 * </ol>
 * The job parameter {@code dryRun=true} counts without deleting. Counts are in the job's
 * ExecutionContext: {@value ExpiredInstancesTasklet#DELETED},
 * {@value ExpiredInstancesTasklet#KEPT}, {@value ExpiredFilesTasklet#DELETED}. Scheduled
 * by {@code jobs/prune-history.yml}.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(RetentionProperties.class)
public class PruneHistoryJobConfiguration {

	/** The job's name in the history database. */
	public static final String JOB_NAME = "pruneHistoryJob";

	@Bean
	Job pruneHistoryJob(JobRepository jobRepository, Step pruneHistoryInstancesStep, Step pruneHistoryFilesStep,
			JobOwnerListener ownerListener, PruneHistoryJobDefinition pruneHistoryJobDefinition) {
		return new JobBuilder(JOB_NAME, jobRepository).validator(pruneHistoryJobDefinition.validator())
			.listener(ownerListener)
			.start(pruneHistoryInstancesStep)
			.next(pruneHistoryFilesStep)
			.build();
	}

	@Bean
	Step pruneHistoryInstancesStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			ExpiredInstancesTasklet expiredInstancesTasklet) {
		return new StepBuilder("pruneHistoryInstancesStep", jobRepository)
			.tasklet(expiredInstancesTasklet, transactionManager)
			.build();
	}

	@Bean
	Step pruneHistoryFilesStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			ExpiredFilesTasklet expiredFilesTasklet) {
		return new StepBuilder("pruneHistoryFilesStep", jobRepository).tasklet(expiredFilesTasklet, transactionManager)
			.build();
	}

	@Bean
	@StepScope
	ExpiredInstancesTasklet expiredInstancesTasklet(JobRepository jobRepository, RetentionProperties retention,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		return new ExpiredInstancesTasklet(jobRepository, LocalDateTime.now().minus(retention.history()),
				retention.batchSize(), PruneHistoryParameters.from(stepExecution.getJobParameters()).dryRun());
	}

	@Bean
	@StepScope
	ExpiredFilesTasklet expiredFilesTasklet(KeeperProperties keeper, RetentionProperties retention,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		List<Path> folders = List.of(keeper.dataDir().resolve("archive"), keeper.dataDir().resolve("rejects"));
		return new ExpiredFilesTasklet(folders, Instant.now().minus(retention.archives()),
				PruneHistoryParameters.from(stepExecution.getJobParameters()).dryRun());
	}

}
