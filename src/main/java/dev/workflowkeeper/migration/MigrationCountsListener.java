package dev.workflowkeeper.migration;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.stereotype.Component;

/**
 * Copies the migration step's counts into the job's ExecutionContext under {@code migrate.*}, where
 * the command line, the history and the actuator read them.
 */
@Component
class MigrationCountsListener implements StepExecutionListener {

	@Override
	public ExitStatus afterStep(StepExecution step) {
		ExecutionContext stepContext = step.getExecutionContext();
		long processorExpired = stepContext.getLong("migrationProcessor.expired", 0);
		long writerExpired = stepContext.getLong("target.expired", 0);
		long rejected = step.getReadSkipCount() + step.getProcessSkipCount() + step.getWriteSkipCount();
		ExecutionContext job = step.getJobExecution().getExecutionContext();
		job.putLong(MigrationCounts.READ, step.getReadCount() + step.getReadSkipCount());
		job.putLong(MigrationCounts.WRITTEN, stepContext.getLong("target.written", 0));
		job.putLong(MigrationCounts.KEPT_EXISTING, stepContext.getLong("target.keptExisting", 0));
		job.putLong(MigrationCounts.EXPIRED, processorExpired + writerExpired);
		job.putLong(MigrationCounts.FILTERED, step.getFilterCount() - processorExpired);
		job.putLong(MigrationCounts.REJECTED, rejected);
		job.putString(MigrationCounts.REJECTS_FILE, stepContext.getString("rejects.file", ""));
		return null;
	}

}
