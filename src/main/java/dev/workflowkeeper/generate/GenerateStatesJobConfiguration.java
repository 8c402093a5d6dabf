package dev.workflowkeeper.generate;

import dev.workflowkeeper.batch.JobOwnerListener;
import dev.workflowkeeper.batch.ProgressReporter;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.headroom.EvictionGuard;
import dev.workflowkeeper.headroom.TargetMemoryLimit;
import dev.workflowkeeper.job.JobRunnerParameters;
import dev.workflowkeeper.pace.JobPaces;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreAddresses;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.store.WorkflowStore;
import dev.workflowkeeper.store.WorkflowStores;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.builder.JobBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.Step;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.builder.StepBuilder;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The job behind {@code generate}: writes sample workflow states to a store, for trying
 * the worker out and for benchmarks. Restartable like every job: a re-run continues where
 * it stopped.
 */
@Configuration(proxyBeanMethods = false)
class GenerateStatesJobConfiguration {

	@Bean
	Job generateStatesJob(JobRepository jobRepository, Step generateStatesStep, JobOwnerListener ownerListener,
			GenerateJobDefinition generateJobDefinition) {
		return new JobBuilder(GenerateJob.NAME, jobRepository).validator(generateJobDefinition.validator())
			.listener(ownerListener)
			.start(generateStatesStep)
			.build();
	}

	@Bean
	Step generateStatesStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			KeeperProperties properties, SampleStateReader sampleStateReader, WorkflowItemWriter generateWriter,
			ProgressReporter generateProgress, EvictionGuard generateEvictionGuard) {
		return new StepBuilder("generateStatesStep", jobRepository)
			.<WorkflowEntry, WorkflowEntry>chunk(properties.migration().chunkSize())
			.transactionManager(transactionManager)
			.reader(sampleStateReader)
			.writer(generateWriter)
			.listener(generateWriter)
			.listener(generateProgress)
			.listener(generateEvictionGuard)
			.build();
	}

	@Bean
	@StepScope
	SampleStateReader sampleStateReader(KeeperProperties properties,
			@Value("#{stepExecution}") StepExecution stepExecution,
			@Value("#{jobParameters['" + JobRunnerParameters.NOW + "']}") Long now) {
		GenerateParameters parameters = GenerateParameters.from(stepExecution.getJobParameters());
		return new SampleStateReader(parameters.count(), parameters.seed(), properties.stateTtl(),
				(now != null) ? now : System.currentTimeMillis());
	}

	@Bean
	@StepScope
	WorkflowStore generateTarget(WorkflowStores stores, StoreAddresses addresses,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		return stores.open(addresses.resolve(GenerateParameters.from(stepExecution.getJobParameters()).to()));
	}

	@Bean
	@StepScope
	WorkflowItemWriter generateWriter(WorkflowStore generateTarget, StoreAddresses addresses,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		GenerateParameters parameters = GenerateParameters.from(stepExecution.getJobParameters());
		StoreUri uri = addresses.resolve(parameters.to());
		if (parameters.map() && uri.kind() == StoreUri.Kind.SNAPSHOT) {
			return new SnapshotMapItemWriter(uri.snapshotPath());
		}
		return generateTarget.writer("target", ConflictPolicy.OVERWRITE);
	}

	/**
	 * Stops a generation into a Redis before the Redis evicts, as a migration's copy is
	 * stopped.
	 */
	@Bean
	@StepScope
	EvictionGuard generateEvictionGuard(WorkflowStore generateTarget, StoreAddresses addresses,
			KeeperProperties properties, @Value("#{stepExecution}") StepExecution stepExecution) {
		StoreUri uri = addresses.resolve(GenerateParameters.from(stepExecution.getJobParameters()).to());
		if (uri.kind() != StoreUri.Kind.REDIS) {
			return EvictionGuard.none();
		}
		TargetMemoryLimit limit = TargetMemoryLimit.parse(properties.migration().maxTargetMemory());
		return generateTarget.maintenance()
			.map((store) -> new EvictionGuard(store::serverInfo, uri.masked(), limit))
			.orElseGet(EvictionGuard::none);
	}

	@Bean
	@StepScope
	ProgressReporter generateProgress(JobPaces paces, @Value("#{stepExecution}") StepExecution stepExecution) {
		return new ProgressReporter("generate", GenerateParameters.from(stepExecution.getJobParameters()).count())
			.showing(paces.status(stepExecution));
	}

}
