package dev.workflowkeeper.migration;

import java.nio.file.Path;
import java.time.Clock;

import dev.workflowkeeper.batch.JobOwnerListener;
import dev.workflowkeeper.batch.PrefetchingItemReader;
import dev.workflowkeeper.batch.ProgressReporter;
import dev.workflowkeeper.batch.SequentialItemReader;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.headroom.EvictionGuard;
import dev.workflowkeeper.headroom.TargetMemoryLimit;
import dev.workflowkeeper.migration.verify.MigrationVerifyTasklet;
import dev.workflowkeeper.migration.verify.TargetInventoryTasklet;
import dev.workflowkeeper.pace.JobPaces;
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
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * The migration job: copies workflow states from one store to another, then verifies the
 * copy.
 * <ol>
 * <li>{@code migrateInventoryStep} records what the target holds before the run, so that
 * verification can tell a state the target kept from one it lost;</li>
 * <li>{@code migrateStatesStep} reads the source, applies the filters and the TTL policy,
 * and writes the target in chunks; rejected records go to the rejects report;</li>
 * <li>{@code migrateVerifyStep} compares source and target in both directions.</li>
 * </ol>
 * A failed run restarts from the last committed chunk; every write is idempotent.
 */
@Configuration(proxyBeanMethods = false)
class MigrateStatesJobConfiguration {

	@Bean
	Job migrateStatesJob(JobRepository jobRepository, Step migrateInventoryStep, Step migrateStatesStep,
			Step migrateVerifyStep, JobOwnerListener ownerListener, MigrationOutcomeListener outcomeListener,
			MigrationJobDefinition migrationJobDefinition) {
		return new JobBuilder(MigrationJob.NAME, jobRepository).validator(migrationJobDefinition.validator())
			.listener(ownerListener)
			.listener(outcomeListener)
			.start(migrateInventoryStep)
			.next(migrateStatesStep)
			.next(migrateVerifyStep)
			.build();
	}

	@Bean
	Step migrateInventoryStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			TargetInventoryTasklet inventoryTasklet) {
		return new StepBuilder("migrateInventoryStep", jobRepository).tasklet(inventoryTasklet, transactionManager)
			.build();
	}

	@Bean
	Step migrateStatesStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			KeeperProperties properties, ItemStreamReader<WorkflowEntry> migrationReader,
			StatesMigrationProcessor migrationProcessor, WorkflowItemWriter migrationWriter,
			RejectsReport rejectsReport, ProgressReporter migrationProgress, MigrationCountsListener countsListener,
			RejectsLimit rejectsLimit, EvictionGuard migrationEvictionGuard) {
		return new StepBuilder("migrateStatesStep", jobRepository)
			.<WorkflowEntry, WorkflowEntry>chunk(properties.migration().chunkSize())
			.transactionManager(transactionManager)
			.reader(migrationReader)
			.processor(migrationProcessor)
			.writer(migrationWriter)
			.stream(rejectsReport)
			.stream(countsListener)
			.listener(migrationWriter)
			.listener(migrationProgress)
			.listener(countsListener)
			.listener(migrationEvictionGuard)
			.faultTolerant()
			.skipPolicy(rejectsLimit)
			.skipListener(rejectsReport)
			.build();
	}

	@Bean
	Step migrateVerifyStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			MigrationVerifyTasklet verifyTasklet) {
		return new StepBuilder("migrateVerifyStep", jobRepository).tasklet(verifyTasklet, transactionManager).build();
	}

	@Bean
	@StepScope
	WorkflowStore migrationSource(WorkflowStores stores, StoreAddresses addresses,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		return stores
			.open(addresses.resolve(MigrationParameters.from(stepExecution.getJobParameters()).from().value()));
	}

	@Bean
	@StepScope
	WorkflowStore migrationTarget(WorkflowStores stores, StoreAddresses addresses, KeeperProperties properties,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		MigrationParameters parameters = MigrationParameters.from(stepExecution.getJobParameters());
		String prefix = (parameters.targetPrefix() != null) ? parameters.targetPrefix() : properties.keyPrefix();
		return stores.open(addresses.resolve(parameters.to().value()), prefix);
	}

	@Bean
	@StepScope
	ItemStreamReader<WorkflowEntry> migrationReader(WorkflowStore migrationSource, KeeperProperties properties) {
		SequentialItemReader<WorkflowEntry> reader = new SequentialItemReader<>("source",
				migrationSource.readers("source"));
		KeeperProperties.Migration migration = properties.migration();
		if (migration.prefetch() <= 0) {
			return reader;
		}
		return new PrefetchingItemReader<>(reader, migration.prefetch(), migration.prefetchBytes().toBytes(),
				MigrateStatesJobConfiguration::weigh, "migrate-read-ahead");
	}

	/** About the heap an entry takes: its value and its thread id. */
	private static long weigh(WorkflowEntry entry) {
		return entry.value().length + 2L * entry.threadId().length() + 64;
	}

	@Bean
	@StepScope
	StatesMigrationProcessor migrationProcessor(KeeperProperties properties,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		MigrationParameters parameters = MigrationParameters.from(stepExecution.getJobParameters());
		// Snapshots and the memory store (saved as JSON Lines) hold JSON states only.
		boolean targetNeedsJson = parameters.to().kind() != StoreUri.Kind.REDIS;
		return new StatesMigrationProcessor(parameters, properties.stateTtl(), targetNeedsJson, Clock.systemUTC());
	}

	@Bean
	@StepScope
	WorkflowItemWriter migrationWriter(WorkflowStore migrationTarget,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		MigrationParameters parameters = MigrationParameters.from(stepExecution.getJobParameters());
		return parameters.dryRun() ? new DryRunItemWriter(System.currentTimeMillis())
				: migrationTarget.writer("target", parameters.onConflict());
	}

	/**
	 * Stops the copy into a Redis before the Redis evicts: once a chunk is written, when
	 * its {@code used_memory} passed {@code keeper.migration.max-target-memory} or it
	 * evicted keys. Nothing to guard in a dry run or for another target.
	 */
	@Bean
	@StepScope
	EvictionGuard migrationEvictionGuard(WorkflowStore migrationTarget, KeeperProperties properties,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		MigrationParameters parameters = MigrationParameters.from(stepExecution.getJobParameters());
		if (parameters.dryRun() || parameters.to().kind() != StoreUri.Kind.REDIS) {
			return EvictionGuard.none();
		}
		TargetMemoryLimit limit = TargetMemoryLimit.parse(properties.migration().maxTargetMemory());
		return migrationTarget.maintenance()
			.map((store) -> new EvictionGuard(store::serverInfo, parameters.to().masked(), limit))
			.orElseGet(EvictionGuard::none);
	}

	@Bean
	@StepScope
	RejectsReport rejectsReport(KeeperProperties properties, @Value("#{stepExecution}") StepExecution stepExecution) {
		return new RejectsReport(
				rejectsFile(properties, stepExecution.getJobExecution().getJobInstance().getInstanceId()));
	}

	@Bean
	@StepScope
	RejectsLimit rejectsLimit(MigrationCountsListener countsListener,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		return new RejectsLimit(MigrationParameters.from(stepExecution.getJobParameters()).maxRejects(),
				countsListener);
	}

	@Bean
	@StepScope
	ProgressReporter migrationProgress(WorkflowStore migrationSource, JobPaces paces,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		return new ProgressReporter("migrate", migrationSource.estimateCount()).showing(paces.status(stepExecution));
	}

	/** Where a migration's rejects are reported: beside the job history. */
	static Path rejectsFile(KeeperProperties properties, long jobInstanceId) {
		return properties.dataDir().resolve("rejects").resolve("migrate-" + jobInstanceId + ".jsonl");
	}

}
