package dev.workflowkeeper.testjob;

import dev.workflowkeeper.batch.JobOwnerListener;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The countdown test job: one tasklet that counts down and leaves
 * {@code countdown.counted}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty(CountdownJobDefinition.ENABLED)
class CountdownJobConfiguration {

	@Bean
	Job countdownJob(JobRepository jobRepository, Step countdownStep, JobOwnerListener ownerListener,
			CountdownJobDefinition countdownJobDefinition) {
		return new JobBuilder(CountdownJobDefinition.NAME, jobRepository).validator(countdownJobDefinition.validator())
			.listener(ownerListener)
			.start(countdownStep)
			.build();
	}

	@Bean
	Step countdownStep(JobRepository jobRepository, PlatformTransactionManager transactionManager) {
		return new StepBuilder("countdownStep", jobRepository).tasklet((contribution, chunkContext) -> {
			var stepExecution = contribution.getStepExecution();
			CountdownParameters parameters = CountdownParameters.from(stepExecution.getJobParameters());
			stepExecution.getJobExecution()
				.getExecutionContext()
				.putLong(CountdownJobDefinition.COUNTED, parameters.from());
			return RepeatStatus.FINISHED;
		}, transactionManager).build();
	}

}
