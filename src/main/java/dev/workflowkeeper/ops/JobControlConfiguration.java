package dev.workflowkeeper.ops;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.batch.core.configuration.JobRegistry;
import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.launch.support.TaskExecutorJobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

/**
 * The beans behind {@link JobControl}: the registry of every {@code Job} bean (filled
 * once the context is up) and a {@link JobOperator} that runs what the operator launches
 * or restarts on a thread of its own, so that a launch answers at once. That operator is
 * injected only where it is asked for by name; everything else gets Spring Batch's own,
 * which runs a job on the caller's thread.
 */
@Configuration(proxyBeanMethods = false)
class JobControlConfiguration {

	/** The name of the operator that runs jobs in the background. */
	static final String BACKGROUND_JOB_OPERATOR = "backgroundJobOperator";

	@Bean
	@ConditionalOnMissingBean
	JobRegistry jobRegistry() {
		return new MapJobRegistry();
	}

	@Bean(name = BACKGROUND_JOB_OPERATOR, defaultCandidate = false)
	JobOperator backgroundJobOperator(JobRepository jobRepository, JobRegistry jobRegistry,
			ObjectProvider<ObservationRegistry> observations) throws Exception {
		TaskExecutorJobOperator operator = new TaskExecutorJobOperator();
		operator.setJobRepository(jobRepository);
		operator.setJobRegistry(jobRegistry);
		operator.setObservationRegistry(observations.getIfAvailable(() -> ObservationRegistry.NOOP));
		operator.setTaskExecutor(new SimpleAsyncTaskExecutor("keeper-control-"));
		operator.afterPropertiesSet();
		return operator;
	}

}
