package dev.workflowkeeper.purge;

/**
 * The figures of {@value PurgeJob#NAME}, declared once: what its judging pass
 * ({@code purgeScan.*}) and its delete pass ({@code purge.*}) count in the job's
 * ExecutionContext.
 */
final class PurgeFigures {

	/** The judging pass's figures. */
	static final String SCAN = "purgeScan";

	/** The delete pass's figures. */
	static final String DELETE = "purge";

	static final String SCANNED = "scanned";

	static final String STALE = "stale";

	static final String TERMINAL = "terminal";

	static final String UNPARSEABLE = "unparseable";

	static final String NO_UPDATED_AT = "noUpdatedAt";

	static final String OTHER_TYPES = "otherTypes";

	static final String ARCHIVED = "archived";

	static final String DELETED = "deleted";

	static final String CHANGED_MEANWHILE = "changedMeanwhile";

	/**
	 * States an interrupted run archived and deleted before it could count them, found
	 * gone by the restart; part of {@link #DELETED}.
	 */
	static final String DELETED_BEFORE_RESTART = "deletedBeforeRestart";

	/** What both passes judge. */
	static final String[] JUDGED = { SCANNED, STALE, TERMINAL, UNPARSEABLE, NO_UPDATED_AT, OTHER_TYPES };

	/** What the delete pass counts: what it judges again, and what it changed. */
	static final String[] DELETE_PASS = { SCANNED, STALE, TERMINAL, UNPARSEABLE, NO_UPDATED_AT, OTHER_TYPES, ARCHIVED,
			DELETED, CHANGED_MEANWHILE, DELETED_BEFORE_RESTART };

	private PurgeFigures() {
	}

	/** The ExecutionContext key of a figure of the judging pass. */
	static String scan(String figure) {
		return SCAN + "." + figure;
	}

	/** The ExecutionContext key of a figure of the delete pass. */
	static String delete(String figure) {
		return DELETE + "." + figure;
	}

}
