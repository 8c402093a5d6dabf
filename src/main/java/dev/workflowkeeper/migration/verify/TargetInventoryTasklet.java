package dev.workflowkeeper.migration.verify;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.migration.MigrationParameters;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStore;

import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Component;

/**
 * Records what the target holds before a migration writes to it (digests under
 * {@code data/migrations/<instance>/}), so that verification can count the states the
 * target already had apart from the ones the run got wrong. Runs once per job instance: a
 * restart keeps the inventory of the first attempt.
 */
@Component
@StepScope
public class TargetInventoryTasklet implements Tasklet {

	private final WorkflowStore target;

	private final KeeperProperties properties;

	public TargetInventoryTasklet(@Qualifier("migrationTarget") WorkflowStore target, KeeperProperties properties) {
		this.target = target;
		this.properties = properties;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws Exception {
		var stepExecution = chunkContext.getStepContext().getStepExecution();
		MigrationParameters parameters = MigrationParameters.from(stepExecution.getJobParameters());
		Path before = workDir(this.properties, stepExecution.getJobExecution().getJobInstance().getInstanceId())
			.resolve("target-before.digest");
		if (parameters.dryRun() || !parameters.verify() || parameters.to().kind() == StoreUri.Kind.SNAPSHOT) {
			// A snapshot target is a new file: there is nothing it held before.
			Files.deleteIfExists(before);
			return RepeatStatus.FINISHED;
		}
		boolean normalize = parameters.from().kind() == StoreUri.Kind.SNAPSHOT;
		Path written = StoreDigests.write(this.target, before,
				(entry) -> new DigestFile.Digest(entry.threadId(),
						DigestFile.sha256(StoreDigests.comparable(entry.value(), normalize)), entry.expireAtMillis(),
						entry.expireAtMillis()));
		contribution.incrementReadCount();
		stepExecution.getExecutionContext().putString("inventory.file", written.toString());
		return RepeatStatus.FINISHED;
	}

	/** The folder of one migration's working files. */
	public static Path workDir(KeeperProperties properties, long jobInstanceId) {
		return properties.dataDir().resolve("migrations").resolve(Long.toString(jobInstanceId));
	}

}
