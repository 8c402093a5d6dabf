package dev.workflowkeeper.batch;

import javax.sql.DataSource;

import org.springframework.batch.core.repository.JobRepository;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * This process as one of the workers sharing the history database: its
 * {@link WorkerRegistry}. The worker ({@code serve}, where
 * {@code keeper.scheduling.enabled} is true) heartbeats from its start and takes over the
 * runs of workers that died; a one-off command heartbeats only while it runs a job.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WorkersProperties.class)
public class WorkersConfiguration {

	@Bean
	WorkerRegistry workerRegistry(DataSource dataSource, JobRepository jobRepository, WorkersProperties properties,
			@Value("${spring.batch.jdbc.table-prefix:BATCH_}") String tablePrefix,
			@Value("${keeper.scheduling.enabled:false}") boolean serving, ObjectProvider<TakenOverRuns> takenOverRuns) {
		return new WorkerRegistry(dataSource, jobRepository, properties, tablePrefix, serving, takenOverRuns);
	}

}
