package dev.workflowkeeper.maintenance;

import java.util.List;

import dev.workflowkeeper.batch.PrefetchingItemReader;
import dev.workflowkeeper.batch.SequentialItemReader;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.job.JobOptionException;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.job.OptionType;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeySample;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreAddresses;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStore;
import dev.workflowkeeper.store.WorkflowStores;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.stereotype.Component;

/**
 * Opens the store a maintenance job works on: the one its {@code store} parameter names,
 * or the worker's default (Redis when the service's settings enable it, else
 * {@code memory:}).
 */
@Component
public class MaintenanceStores {

	/** The job parameter that names the store. */
	public static final String STORE = "store";

	/** What the {@code store} option takes, for the jobs' option lists. */
	public static final JobOption STORE_OPTION = JobOption.of(STORE, OptionType.STORE,
			"REDIS_URL when USE_REDIS, else memory:",
			"the store: a redis://, rediss:// or redis-sentinel://…#master address, or memory:");

	private static final String SNAPSHOT_REFUSED = "must be a redis:// store or memory:, not a snapshot file, which has no TTLs to maintain";

	private final WorkflowStores stores;

	private final StoreAddresses addresses;

	private final KeeperProperties properties;

	public MaintenanceStores(WorkflowStores stores, StoreAddresses addresses, KeeperProperties properties) {
		this.stores = stores;
		this.addresses = addresses;
		this.properties = properties;
	}

	/**
	 * The address to record in a job's parameters: the given one, else the default store,
	 * masked.
	 */
	public String parameter(String store) {
		StoreUri uri = (store == null || store.isBlank()) ? this.stores.defaultStore() : StoreUri.parse(store);
		this.addresses.remember(uri);
		return uri.masked();
	}

	/**
	 * The {@code store} option of a maintenance job, as its parameter: the given address
	 * (never a snapshot file, which has no TTLs), else the default store; masked, and
	 * remembered in full.
	 * @throws JobOptionException for a wrong address or a snapshot file
	 */
	public String storeOption(JobOptions options) {
		StoreUri store = options.store(STORE, false);
		if (store != null && store.kind() == StoreUri.Kind.SNAPSHOT) {
			throw options.refuse(STORE, SNAPSHOT_REFUSED);
		}
		return parameter((store != null) ? store.value() : null);
	}

	/**
	 * Reads the {@code store} parameter back as stored (masked), with the same rule.
	 * @throws JobOptionException when it is missing, wrong, or a snapshot file
	 */
	public static String storeParameter(JobOptions parameters) {
		StoreUri store = parameters.store(STORE, true);
		if (store.kind() == StoreUri.Kind.SNAPSHOT) {
			throw parameters.refuse(STORE, SNAPSHOT_REFUSED);
		}
		return store.value();
	}

	/**
	 * Opens the store a job parameter names (the default store when a schedule names
	 * none); fails in one line for a store without keys and TTLs.
	 */
	public WorkflowStore open(String parameter) {
		String address = (parameter == null || parameter.isBlank()) ? parameter(null) : parameter;
		WorkflowStore store = this.stores.open(this.addresses.resolve(address));
		if (store.maintenance().isEmpty()) {
			store.close();
			throw new StoreAccessException(
					address + " has no keys and TTLs to maintain: name a redis:// store or memory:");
		}
		return store;
	}

	/**
	 * One reader over every key of the store, node after node, read ahead on a background
	 * thread ({@code keeper.maintenance.prefetch}) so that the Redis round trips overlap
	 * with the step's work. Restartable as the node readers are.
	 */
	public ItemStreamReader<KeyInfo> keyReader(WorkflowStore store, String name, KeyDetail detail) {
		return keyReader(store, name, detail, KeySample.WHOLE);
	}

	/**
	 * A {@link #keyReader(WorkflowStore, String, KeyDetail)} over a sample of the keys,
	 * each node's scan ended as {@code sample} says, when the store can sample
	 * ({@link MaintainableStore#keyReaders(String, KeyDetail, KeySample)}).
	 */
	public ItemStreamReader<KeyInfo> keyReader(WorkflowStore store, String name, KeyDetail detail, KeySample sample) {
		List<ItemStreamReader<KeyInfo>> readers = maintenance(store).keyReaders(name, detail, sample);
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
