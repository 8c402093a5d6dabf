package dev.workflowkeeper.purge;

import java.util.Locale;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Decides, from the judging pass, whether the purge deletes: not on a dry run or when
 * nothing is stale (exit {@code SKIP}); never when a larger share of the scanned states
 * than allowed would go, unless forced (the step fails and nothing is deleted).
 */
class PurgeGuardTasklet implements Tasklet {

	/** Exit code that ends the job before the delete step. */
	static final String SKIP = "SKIP";

	private final double maxShare;

	private final boolean force;

	private final boolean dryRun;

	private final boolean includeUnparseable;

	PurgeGuardTasklet(double maxShare, boolean force, boolean dryRun, boolean includeUnparseable) {
		this.maxShare = maxShare;
		this.force = force;
		this.dryRun = dryRun;
		this.includeUnparseable = includeUnparseable;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) {
		ExecutionContext job = chunkContext.getStepContext().getStepExecution().getJobExecution().getExecutionContext();
		long scanned = job.getLong(PurgeFigures.scan(PurgeFigures.SCANNED), 0);
		long candidates = job.getLong(PurgeFigures.scan(PurgeFigures.STALE), 0)
				+ job.getLong(PurgeFigures.scan(PurgeFigures.TERMINAL), 0)
				+ (this.includeUnparseable ? job.getLong(PurgeFigures.scan(PurgeFigures.UNPARSEABLE), 0) : 0);
		if (this.dryRun || candidates == 0) {
			contribution
				.setExitStatus(new ExitStatus(SKIP, this.dryRun ? "dry run: nothing deleted" : "nothing to purge"));
			return RepeatStatus.FINISHED;
		}
		double share = (double) candidates / scanned;
		if (share > this.maxShare && !this.force) {
			throw new IllegalStateException(String.format(Locale.ROOT,
					"the purge would delete %,d of %,d scanned states (%.0f%%), more than the limit of %.0f%%: nothing was deleted; check --stale-after and --terminal-retention, or run with --force",
					candidates, scanned, share * 100, this.maxShare * 100));
		}
		return RepeatStatus.FINISHED;
	}

}
