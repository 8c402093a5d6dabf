package dev.workflowkeeper.store.memory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import dev.workflowkeeper.store.MaintainableStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A maximum TTL on the embedded store: counted from the moment each state is changed, on
 * the worker's clock, which is the store's own.
 */
class MemoryTtlCapTests {

	private static final String PREFIX = "document_workflow:";

	private static final Duration MAX_TTL = Duration.ofSeconds(86_400);

	private static final long MAX = MAX_TTL.toMillis();

	@TempDir
	Path dataDir;

	private MemoryWorkflowStore store;

	private MaintainableStore maintenance;

	@BeforeEach
	void createStore() {
		this.store = new MemoryWorkflowStore(
				new Binder(new MapConfigurationPropertySource(Map.of("keeper.data-dir", this.dataDir.toString())))
					.bindOrCreate("keeper", KeeperProperties.class));
		this.maintenance = this.store.view(PREFIX).maintenance().orElseThrow();
	}

	@AfterEach
	void destroyStore() {
		this.store.destroy();
	}

	@Test
	void shouldCapToTheMomentOfTheChangePlusTheMaximumAndLengthenNothing() {
		// given: expiries far above the maximum, 300 ms and 900 ms above it, and just
		// below it
		long now = System.currentTimeMillis();
		long below = now + MAX - 200;
		this.store.put(PREFIX + "far", bytes("{}"), now + 10 * MAX);
		this.store.put(PREFIX + "above-300", bytes("{}"), now + MAX + 300);
		this.store.put(PREFIX + "above-900", bytes("{}"), now + MAX + 900);
		this.store.put(PREFIX + "below", bytes("{}"), below);
		List<TtlChange> changes = List.of(change("far"), change("above-300"), change("above-900"), change("below"));

		// when
		long before = System.currentTimeMillis();
		List<TtlOutcome> outcomes = this.maintenance.enforceTtl(changes);
		long after = System.currentTimeMillis();

		// then: no expiry past the end of the call plus the maximum, none earlier than
		// its start plus it
		assertThat(outcomes).containsExactly(TtlOutcome.CAPPED, TtlOutcome.CAPPED, TtlOutcome.CAPPED,
				TtlOutcome.UNTOUCHED);
		for (String capped : List.of("far", "above-300", "above-900")) {
			assertThat(expireAt(capped)).as(capped).isBetween(before + MAX, after + MAX);
		}
		assertThat(expireAt("below")).isEqualTo(below);
	}

	@Test
	void shouldTakeTheEarlierOfAnAbsoluteMaximumAndAMaximumTtl() {
		// given
		long now = System.currentTimeMillis();
		this.store.put(PREFIX + "absolute-earlier", bytes("{}"), now + 10 * MAX);
		this.store.put(PREFIX + "ttl-earlier", bytes("{}"), now + 10 * MAX);
		long absolute = now + MAX / 2;

		// when
		List<TtlOutcome> outcomes = this.maintenance
			.enforceTtl(List.of(new TtlChange(PREFIX + "absolute-earlier", absolute, absolute, MAX_TTL, null),
					new TtlChange(PREFIX + "ttl-earlier", now + 5 * MAX, now + 5 * MAX, MAX_TTL, null)));
		long after = System.currentTimeMillis();

		// then
		assertThat(outcomes).containsExactly(TtlOutcome.CAPPED, TtlOutcome.CAPPED);
		assertThat(expireAt("absolute-earlier")).isEqualTo(absolute);
		assertThat(expireAt("ttl-earlier")).isBetween(now + MAX, after + MAX);
	}

	private long expireAt(String threadId) {
		return this.store.get(PREFIX + threadId).orElseThrow().expireAtMillis();
	}

	private static TtlChange change(String threadId) {
		return TtlChange.withinTtl(PREFIX + threadId, TtlChange.UNBOUNDED, MAX_TTL, null);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
