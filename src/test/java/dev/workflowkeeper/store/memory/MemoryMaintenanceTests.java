package dev.workflowkeeper.store.memory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeyValue;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static dev.workflowkeeper.support.SampleStates.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@link MemoryMaintenance} does that is its own: memory as an estimate, expired
 * states as Redis treats them, its own view of the store. What every maintainable store
 * does is {@link MemoryMaintainableStoreContractTests}.
 */
class MemoryMaintenanceTests {

	private static final long HOUR = 3_600_000;

	@TempDir
	Path dataDir;

	private MemoryWorkflowStore store;

	private MaintainableStore maintenance;

	@BeforeEach
	void createStore() {
		this.store = new MemoryWorkflowStore(WorkerSettings.in(this.dataDir).keeperProperties());
		this.maintenance = this.store.view(PREFIX).maintenance().orElseThrow();
	}

	@AfterEach
	void destroyStore() {
		this.store.destroy();
	}

	@Test
	void shouldEstimateMemoryFromTheKeyAndValueBytesAndKeepExactExpiries() throws Exception {
		// given
		long expireAt = System.currentTimeMillis() + HOUR;
		this.store.put(PREFIX + "small", bytes("{\"a\":1}"), expireAt);

		// when
		List<KeyInfo> keys = readAll(KeyDetail.SIZE_AND_TTL);

		// then
		assertThat(keys).singleElement().satisfies((key) -> {
			assertThat(key.memoryBytes())
				.isEqualTo((PREFIX + "small").length() + "{\"a\":1}".length() + MemoryMaintenance.ENTRY_OVERHEAD);
			assertThat(key.expireAtMillis()).isEqualTo(expireAt);
		});
	}

	@Test
	void shouldTreatExpiredStatesAsGoneAndCountThemRemoved() throws Exception {
		// given: a state whose expiry passed before any sweep removed it
		long now = System.currentTimeMillis();
		this.store.put(PREFIX + "live", bytes("{}"), now + HOUR);
		this.store.put(PREFIX + "expired", bytes("{}"), now + 50);
		Thread.sleep(100);

		// when
		List<KeyInfo> keys = readAll(KeyDetail.TYPE);
		List<TtlOutcome> outcomes = this.maintenance
			.enforceTtl(List.of(new TtlChange(PREFIX + "expired", now + HOUR, now + HOUR, null)));
		List<Boolean> deleted = this.maintenance
			.deleteIfUnchanged(List.of(new KeyValue(PREFIX + "expired", bytes("{}"))));

		// then
		assertThat(keys).extracting(KeyInfo::threadId).containsExactly("live");
		assertThat(outcomes).containsExactly(TtlOutcome.CHANGED_OR_GONE);
		assertThat(deleted).containsExactly(false);
		assertThat(this.maintenance.serverInfo()).containsEntry("expiredKeys", 1L).containsEntry("dbKeys", 1L);
	}

	@Test
	void shouldReportItsOwnViewWithExpiredRemovalsCounted() throws Exception {
		// given
		long now = System.currentTimeMillis();
		this.store.put(PREFIX + "live", bytes("{}"), now + HOUR);
		this.store.put("session:1", bytes("{}"), now + HOUR);
		this.store.put(PREFIX + "brief", bytes("{}"), now + 50);
		Thread.sleep(100);
		this.store.removeExpired();

		// when
		Map<String, Object> info = this.maintenance.serverInfo();

		// then
		assertThat(info).containsEntry("role", "embedded")
			.containsEntry("maxmemory", 0L)
			.containsEntry("maxmemoryPolicy", "none")
			.containsEntry("evictedKeys", 0L)
			.containsEntry("expiredKeys", 1L)
			.containsEntry("dbKeys", 2L)
			.containsEntry("usedMemory",
					MemoryMaintenance.estimateMemory(PREFIX + "live", bytes("{}"))
							+ MemoryMaintenance.estimateMemory("session:1", bytes("{}")))
			.doesNotContainKeys("redisVersion", "fragmentationRatio");
	}

	private List<KeyInfo> readAll(KeyDetail detail) throws Exception {
		ItemStreamReader<KeyInfo> reader = this.maintenance.keyReaders("keys", detail).get(0);
		reader.open(new ExecutionContext());
		List<KeyInfo> keys = new ArrayList<>();
		for (KeyInfo info = reader.read(); info != null; info = reader.read()) {
			keys.add(info);
		}
		reader.close();
		return keys;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
