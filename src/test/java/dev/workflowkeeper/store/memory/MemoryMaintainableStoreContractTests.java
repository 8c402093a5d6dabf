package dev.workflowkeeper.store.memory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.MaintainableStoreContractTests;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link MaintainableStore} contract on the embedded memory store, which keeps
 * strings only, each with an expiry.
 */
class MemoryMaintainableStoreContractTests extends MaintainableStoreContractTests {

	@TempDir
	Path dataDir;

	private MemoryWorkflowStore store;

	@BeforeEach
	void createStore() {
		this.store = new MemoryWorkflowStore(WorkerSettings.in(this.dataDir).keeperProperties());
	}

	@AfterEach
	void destroyStore() {
		this.store.destroy();
	}

	@Override
	protected MaintainableStore maintenance(Paging paging) {
		return this.store.view(PREFIX).maintenance().orElseThrow();
	}

	@Override
	protected void put(String key, String value, Duration ttl) {
		this.store.put(key, value.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis() + ttl.toMillis());
	}

	@Override
	protected long pttl(String key) {
		return this.store.get(key).map((entry) -> entry.expireAtMillis() - System.currentTimeMillis()).orElse(-2L);
	}

	@Override
	protected String value(String key) {
		return this.store.get(key).map(WorkflowEntry::valueAsString).orElse(null);
	}

	@Override
	protected void delete(String key) {
		this.store.get(key).ifPresent((entry) -> this.store.deleteIfValue(key, entry.value()));
	}

	@Override
	protected boolean keepsKeysWithoutTtl() {
		return false;
	}

}
