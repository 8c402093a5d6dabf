package dev.workflowkeeper.ttl;

import java.time.Clock;

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
 * The TTL enforcement job: states without a TTL get one, TTLs above the maximum are
 * capped, each change atomic ({@code EXPIRE … LT} on Redis 7, a Lua script on 6.2) and
 * never below what the service set; the expiries it sets are spread below the TTL they
 * are given ({@link ExpirySpread}). Its counts go into the job's ExecutionContext as
 * {@code ttl.checked}, {@code ttl.fixedMissing}, {@code ttl.capped},
 * {@code ttl.untouched}, {@code ttl.changedOrGone}, {@code ttl.otherTypes}.
 */
@Configuration(proxyBeanMethods = false)
class EnforceTtlJobConfiguration {

	@Bean
	Job enforceTtlJob(JobRepository jobRepository, Step enforceTtlStep, JobOwnerListener ownerListener,
			EnforceTtlJobDefinition enforceTtlJobDefinition) {
		return new JobBuilder(EnforceTtlJob.NAME, jobRepository).validator(enforceTtlJobDefinition.validator())
			.listener(ownerListener)
			.start(enforceTtlStep)
			.build();
	}

	@Bean
	Step enforceTtlStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			KeeperProperties properties, ItemStreamReader<KeyInfo> ttlReader, TtlJudge ttlJudge,
			TtlItemWriter ttlWriter, StepCounters ttlCounters, ProgressReporter ttlProgress) {
		return new StepBuilder("enforceTtlStep", jobRepository)
			.<KeyInfo, KeyInfo>chunk(properties.maintenance().chunkSize())
			.transactionManager(transactionManager)
			.reader(ttlReader)
			.processor(ttlJudge)
			.writer(ttlWriter)
			.stream(ttlCounters)
			.listener(ttlCounters)
			.listener(ttlProgress)
			// A key whose name is not UTF-8 cannot be judged: it is skipped, never
			// touched.
			.faultTolerant()
			.skip(RejectedRecordException.class)
			.skipLimit(properties.maintenance().skipLimit())
			.build();
	}

	@Bean
	@StepScope
	WorkflowStore ttlStore(MaintenanceStores stores, KeeperProperties properties,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		return stores.open(parameters(stepExecution, properties).store());
	}

	@Bean
	@StepScope
	ItemStreamReader<KeyInfo> ttlReader(MaintenanceStores stores, WorkflowStore ttlStore, KeeperProperties properties,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		return stores.keyReader(ttlStore, "keys", KeyDetail.typed(parameters(stepExecution, properties).fromAge()));
	}

	@Bean
	@StepScope
	StepCounters ttlCounters() {
		return new StepCounters(TtlFigures.PREFIX, TtlFigures.ALL);
	}

	@Bean
	@StepScope
	TtlJudge ttlJudge(StepCounters ttlCounters, KeeperProperties properties,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		return new TtlJudge(parameters(stepExecution, properties).maxTtl(), Clock.systemUTC(), ttlCounters);
	}

	@Bean
	@StepScope
	TtlItemWriter ttlWriter(WorkflowStore ttlStore, StepCounters ttlCounters, KeeperProperties properties,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		EnforceTtlParameters parameters = parameters(stepExecution, properties);
		return new TtlItemWriter(MaintenanceStores.maintenance(ttlStore), parameters.maxTtl(), parameters.spread(),
				properties.stateTtl(), parameters.fromAge(), parameters.dryRun(), Clock.systemUTC(), ttlCounters);
	}

	private static EnforceTtlParameters parameters(StepExecution stepExecution, KeeperProperties properties) {
		return EnforceTtlParameters.from(stepExecution.getJobParameters(), properties.stateTtl());
	}

	@Bean
	@StepScope
	ProgressReporter ttlProgress(WorkflowStore ttlStore, JobPaces paces,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		return new ProgressReporter("enforce-ttl", ttlStore.estimateCount()).showing(paces.status(stepExecution));
	}

}
