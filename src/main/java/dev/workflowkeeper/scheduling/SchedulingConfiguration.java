package dev.workflowkeeper.scheduling;

import java.time.Clock;

import dev.workflowkeeper.batch.WorkerRegistry;
import dev.workflowkeeper.job.JobDefinitions;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

/**
 * The timer, present only when {@code keeper.scheduling.enabled} is true (the
 * {@code serve} command; one-off commands turn it off). The schedule files are loaded and
 * validated here, so a bad one stops the worker at start.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnBooleanProperty("keeper.scheduling.enabled")
@EnableConfigurationProperties(SchedulingProperties.class)
class SchedulingConfiguration {

	@Bean
	ScheduleRegistry scheduleRegistry(SchedulingProperties properties, JobDefinitions jobDefinitions) {
		return new ScheduleRegistry(JobScheduleFiles.load(properties.jobsDir(), jobDefinitions), Clock.systemUTC());
	}

	@Bean
	SlotLauncher slotLauncher(JobOperator jobOperator, JobRepository jobRepository, ListableBeanFactory beanFactory,
			WorkerRegistry workerRegistry) {
		// Not a bean: an Executor bean would make Boot's applicationTaskExecutor back
		// off.
		SimpleAsyncTaskExecutor launchExecutor = new SimpleAsyncTaskExecutor("keeper-job-");
		return new SlotLauncher(jobOperator, jobRepository, beanFactory.getBeansOfType(Job.class), launchExecutor,
				workerRegistry);
	}

	@Bean
	ScheduleTimer scheduleTimer(ScheduleRegistry scheduleRegistry, SlotLauncher slotLauncher,
			SchedulingProperties properties) {
		return new ScheduleTimer(scheduleRegistry, slotLauncher, properties);
	}

}
