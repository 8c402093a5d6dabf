package dev.workflowkeeper.purge;

import java.time.Clock;

import dev.workflowkeeper.batch.JobOwnerListener;
import dev.workflowkeeper.batch.ProgressReporter;
import dev.workflowkeeper.batch.RestartableLineFile;
import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.maintenance.MaintenanceStores;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.WorkflowStore;
import dev.workflowkeeper.store.snapshot.SnapshotWorkflowStore;

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
 * The stale-state purge: a judging pass counts what would go ({@code purgeScan.*}); a
 * guard stops the job when that is more than the allowed share of the scanned states
 * (unless forced) and ends it on a dry run or when nothing is stale; the delete pass
 * judges every key again, archives the states to
 * {@code data/archive/purge-<instance>.jsonl.gz} and deletes each only if it is still
 * exactly what was judged ({@code purge.deleted}, {@code purge.changedMeanwhile},
 * {@code purge.archived}).
 */
@Configuration(proxyBeanMethods = false)
class PurgeStatesJobConfiguration {

	@Bean
	Job purgeStatesJob(JobRepository jobRepository, Step purgeScanStep, Step purgeGuardStep, Step purgeDeleteStep,
			JobOwnerListener ownerListener, PurgeJobDefinition purgeJobDefinition) {
		return new JobBuilder(PurgeJob.NAME, jobRepository).validator(purgeJobDefinition.validator())
			.listener(ownerListener)
			.start(purgeScanStep)
			.next(purgeGuardStep)
			.on("FAILED")
			.fail()
			.from(purgeGuardStep)
			.on(PurgeGuardTasklet.SKIP)
			.end()
			.from(purgeGuardStep)
			.on("*")
			.to(purgeDeleteStep)
			.end()
			.build();
	}

	@Bean
	Step purgeScanStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			KeeperProperties properties, ItemStreamReader<KeyInfo> purgeReader, PurgeJudge purgeScanJudge,
			StepCounters purgeScanCounters, ProgressReporter purgeProgress) {
		return new StepBuilder("purgeScanStep", jobRepository)
			.<KeyInfo, KeyInfo>chunk(properties.maintenance().chunkSize())
			.transactionManager(transactionManager)
			.reader(purgeReader)
			.processor(purgeScanJudge)
			.writer((chunk) -> {
			})
			.stream(purgeScanCounters)
			.listener(purgeScanCounters)
			.listener(purgeProgress)
			// A key whose name is not UTF-8 cannot be judged: it is skipped, never
			// touched.
			.faultTolerant()
			.skip(RejectedRecordException.class)
			.skipLimit(properties.maintenance().skipLimit())
			.build();
	}

	@Bean
	Step purgeGuardStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			PurgeGuardTasklet purgeGuard) {
		return new StepBuilder("purgeGuardStep", jobRepository).tasklet(purgeGuard, transactionManager).build();
	}

	@Bean
	Step purgeDeleteStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			KeeperProperties properties, ItemStreamReader<KeyInfo> purgeReader, PurgeJudge purgeDeleteJudge,
			PurgeItemWriter purgeWriter, WorkflowItemWriter purgeArchive, RestartableLineFile purgeRawArchive,
			StepCounters purgeCounters, ProgressReporter purgeProgress) {
		return new StepBuilder("purgeDeleteStep", jobRepository)
			.<KeyInfo, KeyInfo>chunk(properties.maintenance().chunkSize())
			.transactionManager(transactionManager)
			.reader(purgeReader)
			.processor(purgeDeleteJudge)
			.writer(purgeWriter)
			.stream(purgeArchive)
			.listener(purgeArchive)
			.stream(purgeRawArchive)
			.stream(purgeCounters)
			.listener(purgeCounters)
			.listener(purgeProgress)
			// A key whose name is not UTF-8 cannot be judged: it is skipped, never
			// touched.
			.faultTolerant()
			.skip(RejectedRecordException.class)
			.skipLimit(properties.maintenance().skipLimit())
			.build();
	}

	@Bean
	@StepScope
	WorkflowStore purgeStore(MaintenanceStores stores, @Value("#{stepExecution}") StepExecution stepExecution) {
		return stores.open(parameters(stepExecution).store());
	}

	@Bean
	@StepScope
	ItemStreamReader<KeyInfo> purgeReader(MaintenanceStores stores, WorkflowStore purgeStore) {
		return stores.keyReader(purgeStore, "keys", KeyDetail.VALUE);
	}

	@Bean
	@StepScope
	StepCounters purgeScanCounters() {
		return new StepCounters(PurgeFigures.SCAN, PurgeFigures.JUDGED);
	}

	@Bean
	@StepScope
	StepCounters purgeCounters() {
		return new StepCounters(PurgeFigures.DELETE, PurgeFigures.DELETE_PASS);
	}

	@Bean
	@StepScope
	PurgeJudge purgeScanJudge(StepCounters purgeScanCounters, @Value("#{stepExecution}") StepExecution stepExecution) {
		return judge(parameters(stepExecution), purgeScanCounters);
	}

	@Bean
	@StepScope
	PurgeJudge purgeDeleteJudge(StepCounters purgeCounters, @Value("#{stepExecution}") StepExecution stepExecution) {
		return judge(parameters(stepExecution), purgeCounters);
	}

	private static PurgeJudge judge(PurgeParameters parameters, StepCounters counters) {
		return new PurgeJudge(parameters.staleAfter(), parameters.terminalRetention(), parameters.includeUnparseable(),
				Clock.systemUTC(), counters);
	}

	private static PurgeParameters parameters(StepExecution stepExecution) {
		return PurgeParameters.from(stepExecution.getJobParameters());
	}

	@Bean
	@StepScope
	PurgeGuardTasklet purgeGuard(@Value("#{stepExecution}") StepExecution stepExecution) {
		PurgeParameters parameters = parameters(stepExecution);
		return new PurgeGuardTasklet(parameters.maxShare(), parameters.force(), parameters.dryRun(),
				parameters.includeUnparseable());
	}

	@Bean
	@StepScope
	WorkflowItemWriter purgeArchive(KeeperProperties properties,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		long instance = stepExecution.getJobExecution().getJobInstance().getInstanceId();
		java.nio.file.Path file = properties.dataDir().resolve("archive").resolve("purge-" + instance + ".jsonl.gz");
		return parameters(stepExecution).archive()
				? new SnapshotWorkflowStore(file, properties.migration().maxRecordSize()).writer("archive",
						ConflictPolicy.OVERWRITE)
				: new NoArchive();
	}

	@Bean
	@StepScope
	RestartableLineFile purgeRawArchive(KeeperProperties properties,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		long instance = stepExecution.getJobExecution().getJobInstance().getInstanceId();
		return new RestartableLineFile("rawArchive",
				properties.dataDir().resolve("archive").resolve("purge-" + instance + "-unparseable.jsonl"), false);
	}

	@Bean
	@StepScope
	PurgeItemWriter purgeWriter(WorkflowStore purgeStore, WorkflowItemWriter purgeArchive,
			RestartableLineFile purgeRawArchive, StepCounters purgeCounters,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		boolean archive = parameters(stepExecution).archive();
		return new PurgeItemWriter(MaintenanceStores.maintenance(purgeStore), archive ? purgeArchive : null,
				archive ? purgeRawArchive : null, purgeCounters);
	}

	@Bean
	@StepScope
	ProgressReporter purgeProgress(WorkflowStore purgeStore) {
		return new ProgressReporter("purge", purgeStore.estimateCount());
	}

	/** Stands in for the archive with {@code --no-archive}: keeps nothing. */
	static class NoArchive extends WorkflowItemWriter {

		NoArchive() {
			super("archive");
		}

		@Override
		public void write(
				org.springframework.batch.infrastructure.item.Chunk<? extends dev.workflowkeeper.store.WorkflowEntry> chunk) {
		}

	}

}
