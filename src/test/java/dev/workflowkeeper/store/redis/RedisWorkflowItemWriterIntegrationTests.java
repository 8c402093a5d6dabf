package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter.WriteCounts;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.SetParams;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import static dev.workflowkeeper.support.SampleStates.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.within;

class RedisWorkflowItemWriterIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension servers = new RedisServerExtension();

	private static final long HOUR = 3_600_000;

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldKeepTheExistingStateWhenSkipping(Version version) throws Exception {
		// given
		RedisDatabase server = servers.fresh(version);
		long expireAt = System.currentTimeMillis() + HOUR;
		try (Jedis jedis = server.jedis()) {
			jedis.set(PREFIX + "live", "{\"source\":\"service\"}", SetParams.setParams().px(2 * HOUR));
		}

		// when
		WriteCounts counts = write(server, ConflictPolicy.SKIP, raw("live", "{\"source\":\"migration\"}", expireAt),
				raw("new", "{\"source\":\"migration\"}", expireAt));

		// then
		try (Jedis jedis = server.jedis()) {
			assertThat(jedis.get(PREFIX + "live")).isEqualTo("{\"source\":\"service\"}");
			assertThat(jedis.pttl(PREFIX + "live")).isGreaterThan(HOUR + 60_000);
			assertThat(jedis.get(PREFIX + "new")).isEqualTo("{\"source\":\"migration\"}");
			assertThat(jedis.pttl(PREFIX + "new")).isCloseTo(HOUR, within(60_000L));
		}
		assertThat(counts).isEqualTo(new WriteCounts(1, 1, 0));
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldReplaceTheExistingStateWhenOverwriting(Version version) throws Exception {
		// given
		RedisDatabase server = servers.fresh(version);
		long expireAt = System.currentTimeMillis() + HOUR;
		try (Jedis jedis = server.jedis()) {
			jedis.set(PREFIX + "live", "{\"source\":\"service\"}");
		}
		byte[] value = { '{', '"', 'x', '"', ':', '"', (byte) 0xff, (byte) 0x80, '"', '}' };

		// when
		WriteCounts counts = write(server, ConflictPolicy.OVERWRITE, new WorkflowEntry("live", value, expireAt));

		// then: byte for byte, with the entry's absolute expiry
		try (Jedis jedis = server.jedis()) {
			assertThat(jedis.get(bytes(PREFIX + "live"))).isEqualTo(value);
			assertThat(jedis.pttl(PREFIX + "live")).isCloseTo(HOUR, within(60_000L));
		}
		assertThat(counts).isEqualTo(new WriteCounts(1, 0, 0));
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldReplaceOnlyOlderStatesWhenNewer(Version version) throws Exception {
		// given: targets in every timestamp format the service has written; 1714564800 is
		// 2024-05-01T12:00:00Z
		RedisDatabase server = servers.fresh(version);
		long expireAt = System.currentTimeMillis() + HOUR;
		List<NewerCase> cases = List.of(
				new NewerCase("naive-older", "\"2024-05-01T12:00:00\"", "\"2024-05-01T12:00:01+00:00\"", true),
				new NewerCase("offset-newer", "\"2024-05-01T14:00:00.500000+02:00\"", "\"2024-05-01T12:00:00Z\"",
						false),
				new NewerCase("negative-offset-older", "\"2024-05-01T08:00:00-04:00\"", "\"2024-05-01T12:00:00.001\"",
						true),
				new NewerCase("zulu-fraction-newer", "\"2024-05-01T12:00:00.123456Z\"",
						"\"2024-05-01T12:00:00.122999\"", false),
				new NewerCase("space-separator-older", "\"2024-05-01 11:59:59.999999\"", "\"2024-05-01T12:00:00\"",
						true),
				new NewerCase("epoch-seconds-newer", "1714564800.5", "\"2024-05-01T12:00:00.499\"", false),
				new NewerCase("epoch-seconds-older", "1714564800", "\"2024-05-01T12:00:00.001+00:00\"", true),
				new NewerCase("epoch-millis-older", "1714564800000", "1714564800.001", true),
				new NewerCase("equal-kept", "\"2024-05-01T12:00:00+00:00\"", "\"2024-05-01T12:00:00\"", false),
				new NewerCase("unparseable-target", "\"yesterday\"", "\"2024-05-01T12:00:00\"", true),
				new NewerCase("timestamp-less-target", null, "\"2024-05-01T12:00:00\"", true),
				new NewerCase("incoming-without-timestamp", "\"2024-05-01T12:00:00\"", null, false));
		List<WorkflowEntry> incoming = new ArrayList<>();
		try (Jedis jedis = server.jedis()) {
			for (NewerCase c : cases) {
				jedis.set(PREFIX + c.name(), c.target());
				incoming.add(raw(c.name(), c.incoming(), expireAt));
			}
			jedis.set(PREFIX + "not-json", "<xml/>");
			incoming.add(state("not-json", "{\"updated_at\":\"2024-05-01T12:00:00\"}", expireAt));
			incoming.add(state("missing", "{\"updated_at\":\"2024-05-01T12:00:00\"}", expireAt));
		}

		// when
		WriteCounts counts = write(server, ConflictPolicy.NEWER, incoming.toArray(WorkflowEntry[]::new));

		// then
		try (Jedis jedis = server.jedis()) {
			for (NewerCase c : cases) {
				assertThat(jedis.get(PREFIX + c.name())).as(c.name())
					.isEqualTo(c.replaced() ? c.incoming() : c.target());
				if (c.replaced()) {
					assertThat(jedis.pttl(PREFIX + c.name())).as(c.name()).isCloseTo(HOUR, within(60_000L));
				}
			}
			assertThat(jedis.get(PREFIX + "not-json")).startsWith("{");
			assertThat(jedis.get(PREFIX + "missing")).startsWith("{");
		}
		long replaced = cases.stream().filter(NewerCase::replaced).count() + 2;
		assertThat(counts).isEqualTo(new WriteCounts(replaced, cases.size() + 2 - replaced, 0));
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldLeaveTheSameStateWhenAChunkIsWrittenTwice(Version version) throws Exception {
		// given
		RedisDatabase server = servers.fresh(version);
		long expireAt = System.currentTimeMillis() + HOUR;
		WorkflowEntry[] chunk = { state("a", "\"2024-05-01T12:00:00\"", expireAt),
				state("b", "\"2024-05-01T13:00:00\"", expireAt) };
		for (ConflictPolicy policy : ConflictPolicy.values()) {
			write(server, policy, chunk);
			List<String> first = snapshot(server);

			// when
			write(server, policy, chunk);

			// then
			assertThat(snapshot(server)).as(policy.name()).isEqualTo(first);
		}
	}

	@Test
	void shouldRunTheNewerScriptAgainAfterTheServerLostIt() throws Exception {
		// given: a writer that loaded its script, then a server that forgot it
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		long expireAt = System.currentTimeMillis() + HOUR;
		try (RedisWorkflowStore store = store(server, 3)) {
			WorkflowItemWriter writer = store.writer("target", ConflictPolicy.NEWER);
			writer.open(new ExecutionContext());
			try (Jedis jedis = server.jedis()) {
				jedis.scriptFlush();
			}
			List<WorkflowEntry> entries = new ArrayList<>();
			for (int i = 0; i < 7; i++) {
				entries.add(state("t-" + i, "\"2024-05-01T12:00:00\"", expireAt));
			}

			// when
			writer.write(new Chunk<>(entries));

			// then
			assertThat(writer.counts()).isEqualTo(new WriteCounts(7, 0, 0));
			try (Jedis jedis = server.jedis()) {
				assertThat(jedis.dbSize()).isEqualTo(7);
			}
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldCountStatesWhoseExpiryPassedBeforeTheWrite(Version version) throws Exception {
		// given
		RedisDatabase server = servers.fresh(version);
		long now = System.currentTimeMillis();

		// when
		WriteCounts counts = write(server, ConflictPolicy.OVERWRITE, state("gone", "\"2024-05-01T12:00:00\"", now - 1),
				state("live", "\"2024-05-01T12:00:00\"", now + HOUR));

		// then
		try (Jedis jedis = server.jedis()) {
			assertThat(jedis.exists(PREFIX + "gone")).isFalse();
			assertThat(jedis.exists(PREFIX + "live")).isTrue();
		}
		assertThat(counts).isEqualTo(new WriteCounts(1, 0, 1));
	}

	@Test
	void shouldRefuseToWriteAStateWithoutExpiry() {
		// given
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		WorkflowEntry withTtl = state("with-ttl", "\"2024-05-01T12:00:00\"", System.currentTimeMillis() + HOUR);
		WorkflowEntry forever = state("forever", "\"2024-05-01T12:00:00\"", WorkflowEntry.NO_EXPIRY);

		// when / then: nothing of the chunk is written
		assertThatIllegalStateException().isThrownBy(() -> write(server, ConflictPolicy.OVERWRITE, withTtl, forever))
			.withMessageContaining("forever")
			.withMessageContaining("without TTL");
		try (Jedis jedis = server.jedis()) {
			assertThat(jedis.dbSize()).isZero();
		}
	}

	@Test
	void shouldKeepItsCountsInTheExecutionContext() throws Exception {
		// given
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		long expireAt = System.currentTimeMillis() + HOUR;
		ExecutionContext context = new ExecutionContext();
		try (RedisWorkflowStore store = store(server, 1000)) {
			WorkflowItemWriter writer = store.writer("target", ConflictPolicy.SKIP);
			writer.open(context);
			writer.write(Chunk.of(state("a", null, expireAt), state("b", null, expireAt)));
			writer.update(context);
			writer.close();

			// when: a restarted step writes the next chunk
			WorkflowItemWriter restarted = store.writer("target", ConflictPolicy.SKIP);
			restarted.open(context);
			restarted.write(Chunk.of(state("b", null, expireAt), state("c", null, expireAt - 2 * HOUR)));
			restarted.update(context);

			// then
			assertThat(restarted.counts()).isEqualTo(new WriteCounts(2, 1, 1));
			assertThat(context.getLong("target.written")).isEqualTo(2);
		}
	}

	private static WriteCounts write(RedisDatabase server, ConflictPolicy policy, WorkflowEntry... entries)
			throws Exception {
		try (RedisWorkflowStore store = store(server, 2)) {
			WorkflowItemWriter writer = store.writer("target", policy);
			ExecutionContext context = new ExecutionContext();
			writer.open(context);
			writer.write(Chunk.of(entries));
			writer.update(context);
			writer.close();
			return writer.counts();
		}
	}

	private static List<String> snapshot(RedisDatabase server) {
		try (Jedis jedis = server.jedis()) {
			// the expiry to the minute: PTTL moves on between two looks (Redis 6.2 has no
			// PEXPIRETIME)
			return jedis.keys("*")
				.stream()
				.sorted()
				.map((key) -> key + "=" + jedis.get(key) + " @" + Math.round(jedis.pttl(key) / 60_000.0))
				.toList();
		}
	}

	private static RedisWorkflowStore store(RedisDatabase server, int pipelineSize) {
		return new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
				WorkerSettings.defaults().withRedisPaging(1000, pipelineSize, 2).keeperProperties().redis());
	}

	private static WorkflowEntry raw(String threadId, String value, long expireAt) {
		return new WorkflowEntry(threadId, bytes(value), expireAt);
	}

	/** A state whose {@code updated_at} is the given JSON value, or that has none. */
	private static WorkflowEntry state(String threadId, String updatedAtJson, long expireAt) {
		return new WorkflowEntry(threadId, bytes(json(updatedAtJson)), expireAt);
	}

	private static String json(String updatedAtJson) {
		return (updatedAtJson != null) ? "{\"status\":\"running\",\"updated_at\":" + updatedAtJson + "}"
				: "{\"status\":\"running\"}";
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private record NewerCase(String name, String targetUpdatedAt, String incomingUpdatedAt, boolean replaced) {

		String target() {
			return json(this.targetUpdatedAt);
		}

		String incoming() {
			return json(this.incomingUpdatedAt);
		}

	}

}
