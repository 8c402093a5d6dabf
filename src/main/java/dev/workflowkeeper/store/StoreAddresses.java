package dev.workflowkeeper.store;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.stereotype.Component;

/**
 * Keeps the full addresses (with passwords) of the stores this process was given, keyed
 * by their masked form. Jobs store only masked addresses in their parameters; when a step
 * opens a store it asks here for the full one. The configured {@code REDIS_URL} is known
 * from the start.
 */
@Component
public class StoreAddresses {

	private final Map<String, StoreUri> byMasked = new ConcurrentHashMap<>();

	public StoreAddresses(WorkflowStores stores) {
		StoreUri configured = stores.defaultStore();
		remember(configured);
	}

	/**
	 * Remembers an address given to this process; an address whose password is masked
	 * adds nothing.
	 */
	public void remember(StoreUri uri) {
		if (uri.value().contains(":****@")) {
			return;
		}
		this.byMasked.put(uri.masked(), uri);
	}

	/**
	 * The full address behind a masked one.
	 * @throws StoreAccessException when the address hides a password this process was not
	 * given
	 */
	public StoreUri resolve(String masked) {
		StoreUri known = this.byMasked.get(masked);
		if (known != null) {
			return known;
		}
		if (masked.contains(":****@")) {
			throw new StoreAccessException("the password of " + masked
					+ " is not known to this process: give the full address again (or set REDIS_URL/REDIS_PASSWORD)");
		}
		return StoreUri.parse(masked);
	}

}
