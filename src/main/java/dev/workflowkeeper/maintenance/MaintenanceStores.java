package dev.workflowkeeper.maintenance;

import java.util.List;

import dev.workflowkeeper.batch.PrefetchingItemReader;
import dev.workflowkeeper.batch.SequentialItemReader;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreAddresses;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStore;
import dev.workflowkeeper.store.WorkflowStores;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.stereotype.Component;

/**
 * Opens the store a maintenance job works on: the one its {@code store} parameter names, or the
 * worker's default (Redis when the service's settings enable it, else {@code memory:}).
 */
@Component
public class MaintenanceStores {

	/** The job parameter that names the store. */
	public static final String STORE = "store";

	private final WorkflowStores stores;

	private final StoreAddresses addresses;

	private final KeeperProperties properties;

	public MaintenanceStores(WorkflowStores stores, StoreAddresses addresses, KeeperProperties properties) {
		this.stores = stores;
		this.addresses = addresses;
		this.properties = properties;
	}

	/** The address to record in a job's parameters: the given one, else the default store, masked. */
	public String parameter(String store) {
		StoreUri uri = (store == null || store.isBlank()) ? this.stores.defaultStore() : StoreUri.parse(store);
		this.addresses.remember(uri);
		return uri.masked();
	}

	/**
	 * Opens the store a job parameter names (the default store when a schedule names none); fails in
	 * one line for a store without keys and TTLs.
	 */
	public WorkflowStore open(String parameter) {
		String address = (parameter == null || parameter.isBlank()) ? parameter(null) : parameter;
		WorkflowStore store = this.stores.open(this.addresses.resolve(address));
		if (store.maintenance().isEmpty()) {
			store.close();
			throw new StoreAccessException(address + " has no keys and TTLs to maintain: name a redis:// store or memory:");
		}
		return store;
	}

	/**
	 * One reader over every key of the store, node after node, read ahead on a background thread
	 * ({@code keeper.maintenance.prefetch}) so that the Redis round trips overlap with the step's work.
	 * Restartable as the node readers are.
	 */
	public ItemStreamReader<KeyInfo> keyReader(WorkflowStore store, String name, KeyDetail detail) {
		List<ItemStreamReader<KeyInfo>> readers = maintenance(store).keyReaders(name, detail);
		SequentialItemReader<KeyInfo> reader = new SequentialItemReader<>(name + "Nodes", readers);
		KeeperProperties.Maintenance maintenance = this.properties.maintenance();
		if (maintenance.prefetch() <= 0) {
			return reader;
		}
		return new PrefetchingItemReader<>(reader, maintenance.prefetch(), maintenance.prefetchBytes().toBytes(),
				MaintenanceStores::weigh, name + "-read-ahead");
	}

	/** About the heap a key takes: its value and its key. */
	private static long weigh(KeyInfo key) {
		return ((key.value() != null) ? key.value().length : 0) + 4L * key.key().length() + 96;
	}

	public static MaintainableStore maintenance(WorkflowStore store) {
		return store.maintenance().orElseThrow();
	}

}
