package dev.workflowkeeper.migration;

import dev.workflowkeeper.store.RejectedRecordException;

import org.springframework.batch.core.step.skip.SkipPolicy;

/**
 * The migration's skip policy: a {@link RejectedRecordException} is skipped into the
 * rejects report while the run, all its attempts counted, has rejected at most
 * {@code maxRejects} records; the next one fails the run with a
 * {@link TooManyRejectsException}. Nothing else is skipped: a broken input or a store
 * that fails stops the run.
 */
class RejectsLimit implements SkipPolicy {

	private final long maxRejects;

	private final MigrationCountsListener counts;

	/**
	 * @param maxRejects how many rejects the run tolerates
	 * @param counts the counts of the step, with the rejects of earlier attempts
	 */
	RejectsLimit(long maxRejects, MigrationCountsListener counts) {
		this.maxRejects = maxRejects;
		this.counts = counts;
	}

	@Override
	public boolean shouldSkip(Throwable t, long skipCount) {
		if (!(t instanceof RejectedRecordException rejected)) {
			return false;
		}
		long before = this.counts.skippedBefore() + skipCount;
		if (before >= this.maxRejects) {
			throw new TooManyRejectsException(this.maxRejects, rejected);
		}
		return true;
	}

	/** One reject more than the run tolerates. */
	static class TooManyRejectsException extends RuntimeException {

		private final long maxRejects;

		TooManyRejectsException(long maxRejects, RejectedRecordException cause) {
			super("more than " + maxRejects + " records rejected (--max-rejects " + maxRejects + "); the last: "
					+ cause.getMessage(), cause);
			this.maxRejects = maxRejects;
		}

		long maxRejects() {
			return this.maxRejects;
		}

	}

}
