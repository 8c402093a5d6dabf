package dev.workflowkeeper.migration.verify;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.migration.MigrationCounts;
import dev.workflowkeeper.migration.MigrationParameters;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStore;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Verifies a migration: reads the source again through the same rules (filters, TTL
 * policy), reads the target, and compares their sorted digests (SHA-256 of each value,
 * expiry) in both directions. The figures go into the job's ExecutionContext under
 * {@code verify.*}.
 */
@Component
@StepScope
public class MigrationVerifyTasklet implements Tasklet {

	private static final Log logger = LogFactory.getLog(MigrationVerifyTasklet.class);

	private final WorkflowStore source;

	private final WorkflowStore target;

	private final KeeperProperties properties;

	private final JobRepository jobRepository;

	public MigrationVerifyTasklet(@Qualifier("migrationSource") WorkflowStore source,
			@Qualifier("migrationTarget") WorkflowStore target, KeeperProperties properties,
			JobRepository jobRepository) {
		this.source = source;
		this.target = target;
		this.properties = properties;
		this.jobRepository = jobRepository;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
		StepExecution stepExecution = chunkContext.getStepContext().getStepExecution();
		JobExecution jobExecution = stepExecution.getJobExecution();
		MigrationParameters parameters = MigrationParameters.from(stepExecution.getJobParameters());
		if (parameters.dryRun() || !parameters.verify()) {
			return RepeatStatus.FINISHED;
		}
		Path dir = TargetInventoryTasklet.workDir(this.properties, jobExecution.getJobInstance().getInstanceId());
		boolean normalize = parameters.from().kind() == StoreUri.Kind.SNAPSHOT
				|| parameters.to().kind() == StoreUri.Kind.SNAPSHOT;
		boolean targetNeedsJson = parameters.to().kind() != StoreUri.Kind.REDIS;
		boolean needsFields = parameters.excludeTerminal() || !parameters.statuses().isEmpty();
		long earliestWrite = firstStart(jobExecution);
		long latestWrite = System.currentTimeMillis();

		logger.info("Verifying: reading the source " + this.source.describe());
		Path expected = StoreDigests.write(this.source, dir.resolve("expected.digest"), (entry) -> {
			StateFields fields = StateFields.read(entry.value());
			if ((fields == null && (targetNeedsJson || needsFields))
					|| (fields != null && parameters.filtersOut(fields.status(), fields.terminal()))) {
				return null;
			}
			long[] range = parameters.ttl()
				.expiryRange(entry, fields, this.properties.stateTtl(), earliestWrite, latestWrite);
			if (range == null) {
				return null;
			}
			return new DigestFile.Digest(entry.threadId(),
					DigestFile.sha256(StoreDigests.comparable(entry.value(), normalize)), range[0], range[1]);
		});
		logger.info("Verifying: reading the target " + this.target.describe());
		Path actual = StoreDigests.write(this.target, dir.resolve("actual.digest"),
				(entry) -> new DigestFile.Digest(entry.threadId(),
						DigestFile.sha256(StoreDigests.comparable(entry.value(), normalize)), entry.expireAtMillis(),
						entry.expireAtMillis()));
		VerificationResult result = DigestComparison.compare(expected, actual, dir.resolve("target-before.digest"),
				parameters.onConflict() != ConflictPolicy.OVERWRITE,
				this.properties.migration().ttlTolerance().toMillis(), earliestWrite, System.currentTimeMillis());
		for (Map.Entry<String, Object> figure : result.toMap().entrySet()) {
			jobExecution.getExecutionContext()
				.putLong(MigrationCounts.VERIFY_PREFIX + figure.getKey(), (Long) figure.getValue());
			stepExecution.getExecutionContext().putLong(figure.getKey(), (Long) figure.getValue());
		}
		this.jobRepository.updateExecutionContext(jobExecution);
		contribution.incrementReadCount();
		logger.info(result.summary());
		deleteRecursively(dir);
		return RepeatStatus.FINISHED;
	}

	/**
	 * When the first attempt of this job instance started: no write of the run can be
	 * earlier.
	 */
	private long firstStart(JobExecution current) {
		LocalDateTime first = current.getStartTime();
		for (JobExecution execution : this.jobRepository.getJobExecutions(current.getJobInstance())) {
			LocalDateTime start = (execution.getStartTime() != null) ? execution.getStartTime()
					: execution.getCreateTime();
			if (start != null && (first == null || start.isBefore(first))) {
				first = start;
			}
		}
		return (first != null) ? first.atZone(ZoneId.systemDefault()).toInstant().toEpochMilli()
				: System.currentTimeMillis();
	}

	private static void deleteRecursively(Path dir) throws java.io.IOException {
		if (!Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}

}
