package dev.workflowkeeper.store;

/**
 * What a writer does when the target already holds a state under the same key.
 */
public enum ConflictPolicy {

	/** Keep the target's state (SET NX): the live service wins. */
	SKIP,

	/** Replace the target's state. */
	OVERWRITE,

	/**
	 * Replace it only when the incoming state's {@code updated_at} is later (compared
	 * atomically).
	 */
	NEWER

}
