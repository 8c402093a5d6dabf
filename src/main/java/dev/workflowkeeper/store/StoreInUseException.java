package dev.workflowkeeper.store;

/**
 * A store that another process owns: refused before any work, as a configuration error
 * is. The message names the owner and what to do.
 */
public class StoreInUseException extends StoreAccessException {

	public StoreInUseException(String message) {
		super(message);
	}

}
