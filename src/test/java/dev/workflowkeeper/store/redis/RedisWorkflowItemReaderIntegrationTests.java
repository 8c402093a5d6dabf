package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.params.SetParams;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static dev.workflowkeeper.support.SampleStates.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class RedisWorkflowItemReaderIntegrationTests {

	@RegisterExtension
	static final RedisServerExtension servers = new RedisServerExtension();

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldReadOnlyStringKeysUnderTheExactPrefix(Version version) throws Exception {
		// given
		RedisDatabase server = servers.fresh(version);
		try (Jedis jedis = server.jedis()) {
			jedis.set(PREFIX + "t-1", "{\"status\":\"running\"}");
			jedis.set(PREFIX + "t-2", "{\"status\":\"completed\"}");
			jedis.set("document_workflowX1", "{}");
			jedis.set("document_workflow_meta:1", "{}");
			jedis.set("session:1", "{}");
			jedis.set(PREFIX, "{}");
			jedis.hset(PREFIX + "hash", "status", "running");
			jedis.rpush(PREFIX + "list", "a");
		}
		ExecutionContext context = new ExecutionContext();

		// when
		List<WorkflowEntry> entries = readAll(server, 1000, 1000, context);

		// then
		assertThat(entries).extracting(WorkflowEntry::threadId).containsExactlyInAnyOrder("t-1", "t-2");
		assertThat(context.getLong("states.read")).isEqualTo(2);
		assertThat(context.getLong("states.otherType")).isEqualTo(2);
		assertThat(context.getLong("states.vanished")).isZero();
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldReturnValuesByteForByte(Version version) throws Exception {
		// given
		RedisDatabase server = servers.fresh(version);
		byte[] latin1 = "{\"title\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1);
		byte[] binary = { '{', '"', 'x', '"', ':', '"', (byte) 0xff, (byte) 0xfe, 0, (byte) 0x80, '"', '}' };
		byte[] utf8 = "{\"title\":\"\u6587\u66f8 \ud83d\udcc4\"}".getBytes(StandardCharsets.UTF_8);
		try (Jedis jedis = server.jedis()) {
			jedis.set(bytes(PREFIX + "latin1"), latin1);
			jedis.set(bytes(PREFIX + "binary"), binary);
			jedis.set(bytes(PREFIX + "utf8-\u00e9"), utf8);
		}

		// when
		Map<String, WorkflowEntry> entries = byThreadId(readAll(server, 1000, 1000, new ExecutionContext()));

		// then
		assertThat(entries.get("latin1").value()).isEqualTo(latin1);
		assertThat(entries.get("binary").value()).isEqualTo(binary);
		assertThat(entries.get("utf8-\u00e9").value()).isEqualTo(utf8);
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldReadAbsoluteExpiriesAndNoExpiry(Version version) throws Exception {
		// given
		RedisDatabase server = servers.fresh(version);
		long expireAt = System.currentTimeMillis() + 3_600_000;
		try (Jedis jedis = server.jedis()) {
			jedis.set(PREFIX + "with-ttl", "{}", SetParams.setParams().pxAt(expireAt));
			jedis.set(PREFIX + "without-ttl", "{}");
		}

		// when
		Map<String, WorkflowEntry> entries = byThreadId(readAll(server, 1000, 1000, new ExecutionContext()));

		// then: exact from PEXPIRETIME on Redis 7, now + PTTL on 6.2
		assertThat(entries.get("with-ttl").expireAtMillis()).isCloseTo(expireAt, within(1_000L));
		if (server.isRedis7()) {
			assertThat(entries.get("with-ttl").expireAtMillis()).isEqualTo(expireAt);
		}
		assertThat(entries.get("without-ttl").expireAtMillis()).isEqualTo(WorkflowEntry.NO_EXPIRY);
		assertThat(entries.get("without-ttl").hasExpiry()).isFalse();
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldReadEveryKeyExactlyOnceAcrossRestartsInTheMiddleOfPages(Version version) throws Exception {
		// given
		RedisDatabase server = servers.fresh(version);
		Set<String> expected = new HashSet<>();
		try (Jedis jedis = server.jedis(); Pipeline pipeline = jedis.pipelined()) {
			for (int i = 0; i < 5_000; i++) {
				String threadId = "thread-" + i;
				expected.add(threadId);
				pipeline.set(PREFIX + threadId, "{\"n\":" + i + "}", SetParams.setParams().px(3_600_000));
				pipeline.set("session:" + i, "{}");
			}
		}
		ExecutionContext context = new ExecutionContext();
		List<String> seen = new ArrayList<>();

		// when: restart after odd counts, so that most restarts fall inside a page and
		// inside a pipeline
		try (RedisWorkflowStore store = store(server, 20, 7)) {
			boolean more = true;
			while (more) {
				ItemStreamReader<WorkflowEntry> reader = store.readers("states").get(0);
				reader.open(context);
				for (int i = 0; i < 37; i++) {
					WorkflowEntry entry = reader.read();
					if (entry == null) {
						more = false;
						break;
					}
					seen.add(entry.threadId());
				}
				reader.update(context);
				reader.close();
			}
		}

		// then
		assertThat(seen).hasSize(5_000).doesNotHaveDuplicates();
		assertThat(new HashSet<>(seen)).isEqualTo(expected);
		assertThat(context.getLong("states.read")).isEqualTo(5_000);
	}

	@Test
	void shouldCountKeysThatVanishBetweenScanAndGet() throws Exception {
		// given: a page of five keys, fetched one by one when needed (no pipelines in
		// flight)
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		try (Jedis jedis = server.jedis()) {
			for (int i = 1; i <= 5; i++) {
				jedis.set(PREFIX + "t-" + i, "{}");
			}
		}
		ExecutionContext context = new ExecutionContext();
		try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
				WorkerSettings.defaults().withRedisPaging(1000, 1, 0).keeperProperties().redis())) {
			ItemStreamReader<WorkflowEntry> reader = store.readers("states").get(0);
			reader.open(context);
			WorkflowEntry first = reader.read();

			// when: the service deletes the rest while the page is in progress
			try (Jedis jedis = server.jedis()) {
				for (int i = 1; i <= 5; i++) {
					if (!(PREFIX + "t-" + i).equals(PREFIX + first.threadId())) {
						jedis.del(PREFIX + "t-" + i);
					}
				}
			}
			WorkflowEntry next = reader.read();
			reader.update(context);
			reader.close();

			// then
			assertThat(next).isNull();
			assertThat(context.getLong("states.read")).isEqualTo(1);
			assertThat(context.getLong("states.vanished")).isEqualTo(4);
		}
	}

	@Test
	void shouldRejectAKeyThatIsNotUtf8AndGoOn() throws Exception {
		// given
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		byte[] badKey = { 'd', 'o', 'c', 'u', 'm', 'e', 'n', 't', '_', 'w', 'o', 'r', 'k', 'f', 'l', 'o', 'w', ':', 'b',
				(byte) 0xff };
		try (Jedis jedis = server.jedis()) {
			jedis.set(bytes(PREFIX + "a"), bytes("{}"));
			jedis.set(badKey, bytes("{}"));
			jedis.set(bytes(PREFIX + "c"), bytes("{}"));
		}
		List<String> read = new ArrayList<>();
		List<RejectedRecordException> rejected = new ArrayList<>();

		// when
		try (RedisWorkflowStore store = store(server, 1000, 1000)) {
			ItemStreamReader<WorkflowEntry> reader = store.readers("states").get(0);
			reader.open(new ExecutionContext());
			while (true) {
				try {
					WorkflowEntry entry = reader.read();
					if (entry == null) {
						break;
					}
					read.add(entry.threadId());
				}
				catch (RejectedRecordException ex) {
					rejected.add(ex);
				}
			}
			reader.close();
		}

		// then
		assertThat(read).containsExactly("a", "c");
		assertThat(rejected).singleElement()
			.satisfies((ex) -> assertThat(ex.position()).isEqualTo("key document_workflow:b\\xff"));
	}

	@Test
	void shouldTreatGlobCharactersInThePrefixLiterally() throws Exception {
		// given
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		try (Jedis jedis = server.jedis()) {
			jedis.set("wf[1]*?:a", "{}");
			jedis.set("wf1x:b", "{}");
			jedis.set("wf[1]*?:", "{}");
		}
		List<WorkflowEntry> entries = new ArrayList<>();

		// when
		try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(server.uri()), "wf[1]*?:",
				WorkerSettings.defaults().keeperProperties().redis())) {
			ItemStreamReader<WorkflowEntry> reader = store.readers("states").get(0);
			reader.open(new ExecutionContext());
			for (WorkflowEntry entry = reader.read(); entry != null; entry = reader.read()) {
				entries.add(entry);
			}
			reader.close();
		}

		// then
		assertThat(entries).extracting(WorkflowEntry::threadId).containsExactly("a");
	}

	private static List<WorkflowEntry> readAll(RedisDatabase server, int scanCount, int pipelineSize,
			ExecutionContext context) {
		List<WorkflowEntry> entries = new ArrayList<>();
		try (RedisWorkflowStore store = store(server, scanCount, pipelineSize)) {
			List<ItemStreamReader<WorkflowEntry>> readers = store.readers("states");
			assertThat(readers).hasSize(1);
			ItemStreamReader<WorkflowEntry> reader = readers.get(0);
			reader.open(context);
			for (WorkflowEntry entry = read(reader); entry != null; entry = read(reader)) {
				entries.add(entry);
			}
			reader.update(context);
			reader.close();
		}
		return entries;
	}

	private static WorkflowEntry read(ItemStreamReader<WorkflowEntry> reader) {
		try {
			return reader.read();
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static RedisWorkflowStore store(RedisDatabase server, int scanCount, int pipelineSize) {
		return new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
				WorkerSettings.defaults().withRedisPaging(scanCount, pipelineSize, 2).keeperProperties().redis());
	}

	private static Map<String, WorkflowEntry> byThreadId(List<WorkflowEntry> entries) {
		return entries.stream().collect(Collectors.toMap(WorkflowEntry::threadId, Function.identity()));
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
