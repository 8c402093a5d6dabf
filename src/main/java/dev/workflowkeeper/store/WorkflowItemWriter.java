package dev.workflowkeeper.store;

import java.util.concurrent.atomic.AtomicLong;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;
import org.springframework.batch.infrastructure.item.ItemStreamWriter;

/**
 * Base of every store's writer: counts what each write did and keeps the counts in the
 * step's ExecutionContext, so that after a restart they continue from the last committed
 * chunk.
 * <p>
 * Writes must be idempotent: a chunk that is written again after a crash leaves the same
 * state. Register the writer as a listener of its step too: {@link #complete()} runs once
 * the step has completed, for writers that publish their output only then (a snapshot
 * file's rename).
 */
public abstract class WorkflowItemWriter extends ItemStreamSupport
		implements ItemStreamWriter<WorkflowEntry>, StepExecutionListener {

	/** States written (created or replaced). */
	protected final AtomicLong written = new AtomicLong();

	/**
	 * States not written because the target already held one and the conflict policy kept
	 * it.
	 */
	protected final AtomicLong keptExisting = new AtomicLong();

	/** States not written because their expiry had passed by the time of the write. */
	protected final AtomicLong expired = new AtomicLong();

	protected WorkflowItemWriter(String name) {
		setName(name);
	}

	@Override
	public void open(ExecutionContext executionContext) {
		this.written.set(executionContext.getLong(getExecutionContextKey("written"), 0));
		this.keptExisting.set(executionContext.getLong(getExecutionContextKey("keptExisting"), 0));
		this.expired.set(executionContext.getLong(getExecutionContextKey("expired"), 0));
	}

	@Override
	public void update(ExecutionContext executionContext) {
		executionContext.putLong(getExecutionContextKey("written"), this.written.get());
		executionContext.putLong(getExecutionContextKey("keptExisting"), this.keptExisting.get());
		executionContext.putLong(getExecutionContextKey("expired"), this.expired.get());
	}

	@Override
	public ExitStatus afterStep(StepExecution stepExecution) {
		if (stepExecution.getStatus() == BatchStatus.COMPLETED) {
			try {
				complete();
			}
			catch (RuntimeException ex) {
				// Spring Batch only logs what an afterStep throws and leaves the step
				// COMPLETED: a target that was never published must fail the run
				stepExecution.setStatus(BatchStatus.FAILED);
				stepExecution.addFailureException(ex);
				return ExitStatus.FAILED.addExitDescription(ex);
			}
		}
		return null;
	}

	/**
	 * Runs after the step completed, before the step closes its streams; publishes what
	 * the writer kept back until then. Default: nothing.
	 */
	protected void complete() {
	}

	public WriteCounts counts() {
		return new WriteCounts(this.written.get(), this.keptExisting.get(), this.expired.get());
	}

	/** What a writer has done so far. */
	public record WriteCounts(long written, long keptExisting, long expired) {
	}

}
