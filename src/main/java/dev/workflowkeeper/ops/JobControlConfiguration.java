package dev.workflowkeeper.ops;

import java.util.Set;

import io.micrometer.observation.ObservationRegistry;

import org.springframework.batch.core.configuration.JobRegistry;
import org.springframework.batch.core.configuration.support.MapJobRegistry;
import org.springframework.batch.core.job.Job;
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
		return new FillingJobRegistry();
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

	/**
	 * A {@link MapJobRegistry} that registers the context's jobs when it is first asked,
	 * too, not only once every singleton exists: a one-off command creates its beans
	 * lazily, and a registry created lazily (for a restart) never hears that the
	 * singletons are there.
	 */
	static final class FillingJobRegistry extends MapJobRegistry {

		private boolean filled;

		@Override
		public synchronized void afterSingletonsInstantiated() {
			if (!this.filled) {
				this.filled = true;
				super.afterSingletonsInstantiated();
			}
		}

		@Override
		public Job getJob(String name) {
			afterSingletonsInstantiated();
			return super.getJob(name);
		}

		@Override
		public Set<String> getJobNames() {
			afterSingletonsInstantiated();
			return super.getJobNames();
		}

	}

}
