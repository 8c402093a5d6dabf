package dev.workflowkeeper.store.memory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.MaintainableStore.KeyValue;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class MemoryMaintenanceTests {

	private static final String PREFIX = "document_workflow:";

	private static final long HOUR = 3_600_000;

	private static final long DAY = 24 * HOUR;

	@TempDir
	Path dataDir;

	private MemoryWorkflowStore store;

	private MaintainableStore maintenance;

	@BeforeEach
	void createStore() {
		this.store = new MemoryWorkflowStore(properties());
		this.maintenance = this.store.view(PREFIX).maintenance().orElseThrow();
	}

	@AfterEach
	void destroyStore() {
		this.store.destroy();
	}

	@Test
	void shouldDescribeEveryKeyUnderThePrefixAndNoOther() throws Exception {
		// given
		long expireAt = System.currentTimeMillis() + HOUR;
		byte[] large = bytes("{\"x\":\"" + "x".repeat(150 * 1024) + "\"}");
		this.store.put(PREFIX + "small", bytes("{\"a\":1}"), expireAt);
		this.store.put(PREFIX + "large", large, expireAt);
		this.store.put("document_workflowX1", bytes("{}"), expireAt);
		this.store.put("document_workflow_meta:1", bytes("{}"), expireAt);
		this.store.put(PREFIX, bytes("{}"), expireAt);
		this.store.put("session:1", bytes("{}"), expireAt);
		ExecutionContext context = new ExecutionContext();

		// when
		Map<String, KeyInfo> keys = readAll(KeyDetail.VALUE, context).stream()
			.collect(Collectors.toMap(KeyInfo::key, Function.identity()));

		// then
		assertThat(keys).containsOnlyKeys(PREFIX + "small", PREFIX + "large");
		KeyInfo small = keys.get(PREFIX + "small");
		assertThat(small.threadId()).isEqualTo("small");
		assertThat(small.type()).isEqualTo("string");
		assertThat(small.value()).isEqualTo(bytes("{\"a\":1}"));
		assertThat(small.expireAtMillis()).isEqualTo(expireAt);
		assertThat(small.memoryBytes())
			.isEqualTo((PREFIX + "small").length() + "{\"a\":1}".length() + MemoryMaintenance.ENTRY_OVERHEAD);
		assertThat(keys.get(PREFIX + "large").memoryBytes()).isGreaterThanOrEqualTo(large.length);
		assertThat(context.getLong("keys.read")).isEqualTo(2);
		assertThat(readAll(KeyDetail.TYPE, new ExecutionContext())).extracting(KeyInfo::value).containsOnlyNulls();
	}

	@Test
	void shouldReadEveryKeyExactlyOnceAcrossRestarts() throws Exception {
		// given
		Set<String> expected = new HashSet<>();
		for (int i = 0; i < 500; i++) {
			expected.add("thread-" + i);
			this.store.put(PREFIX + "thread-" + i, bytes("{}"), System.currentTimeMillis() + HOUR);
		}
		ExecutionContext context = new ExecutionContext();
		List<String> seen = new ArrayList<>();

		// when
		boolean more = true;
		while (more) {
			ItemStreamReader<KeyInfo> reader = this.maintenance.keyReaders("keys", KeyDetail.TYPE).get(0);
			reader.open(context);
			for (int i = 0; i < 37; i++) {
				KeyInfo info = reader.read();
				if (info == null) {
					more = false;
					break;
				}
				seen.add(info.threadId());
			}
			reader.update(context);
			reader.close();
		}

		// then
		assertThat(seen).hasSize(500).doesNotHaveDuplicates();
		assertThat(new HashSet<>(seen)).isEqualTo(expected);
		assertThat(context.getLong("keys.read")).isEqualTo(500);
	}

	@Test
	void shouldCapAndNeverLengthenExpiries() {
		// given: every state here has an expiry, so none is ever filled
		long now = System.currentTimeMillis();
		long max = now + DAY;
		long shortExpiry = now + HOUR;
		this.store.put(PREFIX + "long", bytes("{}"), now + 10 * DAY);
		this.store.put(PREFIX + "short", bytes("{}"), shortExpiry);
		List<TtlChange> changes = List.of(change("long", max), change("short", max), change("gone", max));

		// when
		List<TtlOutcome> first = this.maintenance.enforceTtl(changes);
		List<TtlOutcome> second = this.maintenance.enforceTtl(changes);

		// then
		assertThat(first).containsExactly(TtlOutcome.CAPPED, TtlOutcome.UNTOUCHED, TtlOutcome.CHANGED_OR_GONE);
		assertThat(second).containsExactly(TtlOutcome.UNTOUCHED, TtlOutcome.UNTOUCHED, TtlOutcome.CHANGED_OR_GONE);
		assertThat(this.store.get(PREFIX + "long").orElseThrow().expireAtMillis()).isEqualTo(max);
		assertThat(this.store.get(PREFIX + "short").orElseThrow().expireAtMillis()).isEqualTo(shortExpiry);
	}

	@Test
	void shouldChangeTtlOnlyWhileTheValueIsTheJudgedOne() {
		// given
		long now = System.currentTimeMillis();
		long max = now + DAY;
		long long1 = now + 10 * DAY;
		this.store.put(PREFIX + "same", bytes("{\"v\":1}"), long1);
		this.store.put(PREFIX + "rewritten", bytes("{\"v\":2}"), long1);
		byte[] judged = bytes("{\"v\":1}");

		// when
		List<TtlOutcome> outcomes = this.maintenance.enforceTtl(List.of(new TtlChange(PREFIX + "same", max, max, judged),
				new TtlChange(PREFIX + "rewritten", max, max, judged), new TtlChange(PREFIX + "gone", max, max, judged)));

		// then
		assertThat(outcomes).containsExactly(TtlOutcome.CAPPED, TtlOutcome.CHANGED_OR_GONE, TtlOutcome.CHANGED_OR_GONE);
		assertThat(this.store.get(PREFIX + "same").orElseThrow().expireAtMillis()).isEqualTo(max);
		assertThat(this.store.get(PREFIX + "rewritten").orElseThrow().expireAtMillis()).isEqualTo(long1);
	}

	@Test
	void shouldDeleteOnlyKeysStillHoldingTheJudgedValue() {
		// given: three states judged stale, then one rewritten and one deleted by the service
		long expireAt = System.currentTimeMillis() + HOUR;
		byte[] judged = bytes("{\"v\":1}");
		this.store.put(PREFIX + "stale", judged.clone(), expireAt);
		this.store.put(PREFIX + "rewritten", judged.clone(), expireAt);
		this.store.put(PREFIX + "deleted", judged.clone(), expireAt);
		this.store.put(PREFIX + "rewritten", bytes("{\"v\":2}"), expireAt);
		this.store.deleteIfValue(PREFIX + "deleted", judged);

		// when
		List<Boolean> deleted = this.maintenance.deleteIfUnchanged(List.of(new KeyValue(PREFIX + "stale", judged),
				new KeyValue(PREFIX + "rewritten", judged), new KeyValue(PREFIX + "deleted", judged)));

		// then
		assertThat(deleted).containsExactly(true, false, false);
		assertThat(this.store.get(PREFIX + "stale")).isEmpty();
		assertThat(this.store.get(PREFIX + "rewritten").orElseThrow().valueAsString()).isEqualTo("{\"v\":2}");
	}

	@Test
	void shouldRefuseKeysOutsideThePrefixAndFillsBeyondTheMaximum() {
		long max = System.currentTimeMillis() + DAY;

		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.maintenance.enforceTtl(List.of(new TtlChange("session:1", max, max, null))));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.maintenance.enforceTtl(List.of(new TtlChange(PREFIX + "t", max + 1, max, null))));
		assertThatIllegalArgumentException()
			.isThrownBy(() -> this.maintenance.deleteIfUnchanged(List.of(new KeyValue("session:1", bytes("{}")))));
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
			.containsEntry("usedMemory", MemoryMaintenance.estimateMemory(PREFIX + "live", bytes("{}"))
					+ MemoryMaintenance.estimateMemory("session:1", bytes("{}")));
	}

	private List<KeyInfo> readAll(KeyDetail detail, ExecutionContext context) throws Exception {
		ItemStreamReader<KeyInfo> reader = this.maintenance.keyReaders("keys", detail).get(0);
		reader.open(context);
		List<KeyInfo> keys = new ArrayList<>();
		for (KeyInfo info = reader.read(); info != null; info = reader.read()) {
			keys.add(info);
		}
		reader.update(context);
		reader.close();
		return keys;
	}

	private static TtlChange change(String threadId, long max) {
		return new TtlChange(PREFIX + threadId, max, max, null);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private KeeperProperties properties() {
		return new Binder(new MapConfigurationPropertySource(Map.of("keeper.data-dir", this.dataDir.toString())))
			.bindOrCreate("keeper", KeeperProperties.class);
	}

}
