package dev.workflowkeeper.generate;

import dev.workflowkeeper.batch.JobOwnerListener;
import dev.workflowkeeper.batch.ProgressReporter;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreAddresses;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.store.WorkflowStore;
import dev.workflowkeeper.store.WorkflowStores;
import dev.workflowkeeper.store.WorkflowEntry;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The job behind {@code generate}: writes sample workflow states to a store, for trying the worker
 * out and for benchmarks. Restartable like every job: a re-run continues where it stopped.
 */
@Configuration(proxyBeanMethods = false)
class GenerateStatesJobConfiguration {

	/** The job's name in the history database. */
	static final String JOB_NAME = "generateStatesJob";

	@Bean
	Job generateStatesJob(JobRepository jobRepository, Step generateStatesStep, JobOwnerListener ownerListener) {
		return new JobBuilder(JOB_NAME, jobRepository).listener(ownerListener).start(generateStatesStep).build();
	}

	@Bean
	Step generateStatesStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			KeeperProperties properties, SampleStateReader sampleStateReader, WorkflowItemWriter generateWriter,
			ProgressReporter generateProgress) {
		return new StepBuilder("generateStatesStep", jobRepository)
			.<WorkflowEntry, WorkflowEntry>chunk(properties.migration().chunkSize())
			.transactionManager(transactionManager)
			.reader(sampleStateReader)
			.writer(generateWriter)
			.listener(generateWriter)
			.listener(generateProgress)
			.build();
	}

	@Bean
	@StepScope
	SampleStateReader sampleStateReader(KeeperProperties properties, @Value("#{jobParameters['count']}") Long count,
			@Value("#{jobParameters['seed']}") Long seed, @Value("#{jobParameters['now']}") Long now) {
		return new SampleStateReader(count, seed, properties.stateTtl(), now);
	}

	@Bean
	@StepScope
	WorkflowStore generateTarget(WorkflowStores stores, StoreAddresses addresses, @Value("#{jobParameters['to']}") String to) {
		return stores.open(addresses.resolve(to));
	}

	@Bean
	@StepScope
	WorkflowItemWriter generateWriter(WorkflowStore generateTarget, StoreAddresses addresses,
			@Value("#{jobParameters['to']}") String to, @Value("#{jobParameters['map']}") String map) {
		StoreUri uri = addresses.resolve(to);
		if (Boolean.parseBoolean(map) && uri.kind() == StoreUri.Kind.SNAPSHOT) {
			return new SnapshotMapItemWriter(uri.snapshotPath());
		}
		return generateTarget.writer("target", ConflictPolicy.OVERWRITE);
	}

	@Bean
	@StepScope
	ProgressReporter generateProgress(@Value("#{jobParameters['count']}") Long count) {
		return new ProgressReporter("generate", count);
	}

}
