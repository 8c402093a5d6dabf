package dev.workflowkeeper.report;

import dev.workflowkeeper.batch.JobOwnerListener;
import dev.workflowkeeper.batch.ProgressReporter;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.job.JobRunnerParameters;
import dev.workflowkeeper.maintenance.MaintenanceStores;
import dev.workflowkeeper.pace.JobPaces;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeySample;
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
 * The memory report job: one pass over {@code document_workflow:*} (SCAN with COUNT, the
 * per-key commands pipelined), summed up by {@link MemoryReportAccumulator}, then stored
 * with its trend by {@link ReportSaver}. Read-only. {@code values=false} reports from
 * MEMORY USAGE and TTL alone. {@code sample} reads part of the keyspace and estimates the
 * figures of the whole from it ({@link SampleEstimator}).
 */
@Configuration(proxyBeanMethods = false)
class ReportMemoryJobConfiguration {

	/** The name of the key reader, under which it keeps its position. */
	private static final String READER = "keys";

	@Bean
	Job reportMemoryJob(JobRepository jobRepository, Step reportScanStep, JobOwnerListener ownerListener,
			ReportJobDefinition reportJobDefinition) {
		return new JobBuilder(ReportJob.NAME, jobRepository).validator(reportJobDefinition.validator())
			.listener(ownerListener)
			.start(reportScanStep)
			.build();
	}

	@Bean
	Step reportScanStep(JobRepository jobRepository, PlatformTransactionManager transactionManager,
			KeeperProperties properties, ItemStreamReader<KeyInfo> reportReader,
			MemoryReportAccumulator reportAccumulator, ReportSaver reportSaver, ProgressReporter reportProgress) {
		return new StepBuilder("reportScanStep", jobRepository)
			.<KeyInfo, KeyInfo>chunk(properties.maintenance().chunkSize())
			.transactionManager(transactionManager)
			.reader(reportReader)
			.writer(reportAccumulator)
			.listener(reportSaver)
			.listener(reportProgress)
			// A key whose name is not UTF-8 cannot be judged: it is skipped, never
			// touched.
			.faultTolerant()
			.skip(RejectedRecordException.class)
			.skipLimit(properties.maintenance().skipLimit())
			.build();
	}

	@Bean
	@StepScope
	WorkflowStore reportStore(MaintenanceStores stores, @Value("#{stepExecution}") StepExecution stepExecution) {
		return stores.open(ReportParameters.from(stepExecution.getJobParameters()).store());
	}

	@Bean
	@StepScope
	ItemStreamReader<KeyInfo> reportReader(MaintenanceStores stores, WorkflowStore reportStore,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		ReportParameters report = ReportParameters.from(stepExecution.getJobParameters());
		return stores.keyReader(reportStore, READER, report.values() ? KeyDetail.VALUE : KeyDetail.SIZE_AND_TTL,
				(report.sample() != null) ? report.sample().keySample() : KeySample.WHOLE);
	}

	@Bean
	@StepScope
	MemoryReportAccumulator reportAccumulator(KeeperProperties properties,
			@Value("#{jobParameters['" + JobRunnerParameters.NOW + "']}") Long now,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		ReportParameters report = ReportParameters.from(stepExecution.getJobParameters());
		return new MemoryReportAccumulator(
				new ReportSettings(properties.stateTtl(), properties.staleAfter(), properties.maintenance().topKeys()),
				(now != null) ? now : System.currentTimeMillis(), report.values(), report.sample());
	}

	@Bean
	@StepScope
	ReportSaver reportSaver(MemoryReportAccumulator reportAccumulator, WorkflowStore reportStore,
			ReportRepository reports, KeeperProperties properties) {
		return new ReportSaver(reportAccumulator, reportStore, reports, properties.stateTtl(), READER);
	}

	@Bean
	@StepScope
	ProgressReporter reportProgress(WorkflowStore reportStore, JobPaces paces,
			@Value("#{stepExecution}") StepExecution stepExecution) {
		ReportSample sample = ReportParameters.from(stepExecution.getJobParameters()).sample();
		long total = reportStore.estimateCount();
		if (sample != null && total > 0) {
			// what the sample will read, about
			total = Math.min(Math.round(total * sample.share()), sample.keys());
		}
		return new ProgressReporter("report", total).showing(paces.status(stepExecution));
	}

}
