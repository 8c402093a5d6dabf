package dev.workflowkeeper.purge;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.Objects;

import dev.workflowkeeper.batch.JobOwnerListener;
import dev.workflowkeeper.batch.ProgressReporter;
import dev.workflowkeeper.batch.StepCounters;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.maintenance.MaintenanceStores;
import dev.workflowkeeper.pace.JobPaces;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.WorkflowStore;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
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
 * {@code data/archive/purge-<instance>.jsonl.gz}, durably, and then deletes each only if
 * it is still exactly what was judged ({@code purge.deleted},
 * {@code purge.changedMeanwhile}, {@code purge.archived}, and on a restart
 * {@code purge.deletedBeforeRestart}: see {@link PurgeItemWriter}).
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
			PurgeItemWriter purgeWriter, StepCounters purgeCounters, ProgressReporter purgeProgress) {
		return new StepBuilder("purgeDeleteStep", jobRepository)
			.<KeyInfo, KeyInfo>chunk(properties.maintenance().chunkSize())
			.transactionManager(transactionManager)
			.reader(purgeReader)
			.processor(purgeDeleteJudge)
			.writer(purgeWriter)
			// the writer opens after the counters: a restart adds what the interrupted
			// run deleted
			.stream(purgeCounters)
			.stream(purgeWriter)
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
	PurgeItemWriter purgeWriter(KeeperProperties properties, WorkflowStore purgeStore, StepCounters purgeCounters,
			JobRepository jobRepository, @Value("#{stepExecution}") StepExecution stepExecution) {
		JobInstance jobInstance = stepExecution.getJobExecution().getJobInstance();
		long instance = jobInstance.getInstanceId();
		Instant runStarted = jobRepository.getJobExecutions(jobInstance)
			.stream()
			.map(JobExecution::getCreateTime)
			.filter(Objects::nonNull)
			.min(Comparator.naturalOrder())
			.map((created) -> created.atZone(ZoneId.systemDefault()).toInstant().minusSeconds(1))
			.orElse(Instant.MIN);
		Path archives = properties.dataDir().resolve("archive");
		boolean archive = parameters(stepExecution).archive();
		return new PurgeItemWriter(MaintenanceStores.maintenance(purgeStore), properties.keyPrefix(),
				archive ? new ArchiveFile(archives.resolve("purge-" + instance + ".jsonl.gz")) : null,
				archive ? new ArchiveFile(archives.resolve("purge-" + instance + "-unparseable.jsonl")) : null,
				purgeCounters, runStarted);
	}

	@Bean
	@StepScope
	ProgressReporter purgeProgress(WorkflowStore purgeStore, JobPaces paces,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		return new ProgressReporter("purge", purgeStore.estimateCount()).showing(paces.status(stepExecution));
	}

}
