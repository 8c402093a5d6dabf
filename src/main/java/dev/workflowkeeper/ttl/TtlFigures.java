package dev.workflowkeeper.ttl;

/**
 * The figures of {@value EnforceTtlJob#NAME}, declared once: what its judge and writer
 * count, and the keys they have in the job's ExecutionContext ({@code ttl.checked}, …).
 */
final class TtlFigures {

	static final String PREFIX = "ttl";

	static final String CHECKED = "checked";

	static final String FIXED_MISSING = "fixedMissing";

	static final String CAPPED = "capped";

	static final String UNTOUCHED = "untouched";

	static final String CHANGED_OR_GONE = "changedOrGone";

	static final String OTHER_TYPES = "otherTypes";

	/** Every figure, in the order they are shown. */
	static final String[] ALL = { CHECKED, FIXED_MISSING, CAPPED, UNTOUCHED, CHANGED_OR_GONE, OTHER_TYPES };

	private TtlFigures() {
	}

	/** The ExecutionContext key of a figure. */
	static String key(String figure) {
		return PREFIX + "." + figure;
	}

}
