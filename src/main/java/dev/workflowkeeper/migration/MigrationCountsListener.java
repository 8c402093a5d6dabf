package dev.workflowkeeper.migration;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.configuration.annotation.StepScope;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStream;
import org.springframework.stereotype.Component;

/**
 * Keeps the migration step's counts over all its attempts (a restarted step execution
 * counts from zero, its ExecutionContext does not), and at the end copies them into the
 * job's ExecutionContext under {@code migrate.*}, where the command line, the history and
 * the actuator read them.
 */
@Component
@StepScope
class MigrationCountsListener implements StepExecutionListener, ItemStream {

	private static final String READ = "counts.read";

	private static final String FILTERED = "counts.filtered";

	private static final String SKIPPED = "counts.skipped";

	private StepExecution stepExecution;

	private long baseRead;

	private long baseFiltered;

	private long baseSkipped;

	@Override
	public void beforeStep(StepExecution stepExecution) {
		this.stepExecution = stepExecution;
	}

	@Override
	public void open(ExecutionContext executionContext) {
		this.baseRead = executionContext.getLong(READ, 0);
		this.baseFiltered = executionContext.getLong(FILTERED, 0);
		this.baseSkipped = executionContext.getLong(SKIPPED, 0);
	}

	@Override
	public void update(ExecutionContext executionContext) {
		executionContext.putLong(READ, read());
		executionContext.putLong(FILTERED, filtered());
		executionContext.putLong(SKIPPED, skipped());
	}

	/** Records rejected by the earlier attempts of this step. */
	public long skippedBefore() {
		return this.baseSkipped;
	}

	private long read() {
		return this.baseRead + this.stepExecution.getReadCount() + this.stepExecution.getReadSkipCount();
	}

	private long filtered() {
		return this.baseFiltered + this.stepExecution.getFilterCount();
	}

	private long skipped() {
		return this.baseSkipped + this.stepExecution.getReadSkipCount() + this.stepExecution.getProcessSkipCount()
				+ this.stepExecution.getWriteSkipCount();
	}

	@Override
	public ExitStatus afterStep(StepExecution step) {
		ExecutionContext stepContext = step.getExecutionContext();
		long processorExpired = stepContext.getLong("migrationProcessor.expired", 0);
		long writerExpired = stepContext.getLong("target.expired", 0);
		ExecutionContext job = step.getJobExecution().getExecutionContext();
		job.putLong(MigrationCounts.READ, read());
		job.putLong(MigrationCounts.WRITTEN, stepContext.getLong("target.written", 0));
		job.putLong(MigrationCounts.KEPT_EXISTING, stepContext.getLong("target.keptExisting", 0));
		job.putLong(MigrationCounts.EXPIRED, processorExpired + writerExpired);
		job.putLong(MigrationCounts.FILTERED, filtered() - processorExpired);
		job.putLong(MigrationCounts.REJECTED, skipped());
		if (skipped() > 0) {
			job.putString(MigrationCounts.REJECTS_FILE, stepContext.getString("rejects.file", ""));
		}
		return null;
	}

}
