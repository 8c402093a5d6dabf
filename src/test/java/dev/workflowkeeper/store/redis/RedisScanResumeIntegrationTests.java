package dev.workflowkeeper.store.redis;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static dev.workflowkeeper.support.SampleStates.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A scan resumed from a checkpoint inside a page, after the keys read before it are gone
 * (a purge deleted them, or they expired): every key that was there throughout and was
 * not read before the checkpoint is read exactly once after it, by both Redis readers.
 */
class RedisScanResumeIntegrationTests {

	private static final int KEYS = 20_000;

	private static final int SCAN_COUNT = 1000;

	@RegisterExtension
	static final RedisServerExtension servers = new RedisServerExtension();

	/** How the keys read before the checkpoint disappear. */
	enum Removal {

		DELETED, EXPIRED

	}

	/** Which reader scans. */
	enum Reader {

		WORKFLOW, KEY_INFO

	}

	@ParameterizedTest
	@EnumSource(Reader.class)
	void shouldReadEveryRemainingKeyOnceAfterTheReadKeysOfThePageAreDeleted(Reader reader) throws Exception {
		assertResumeReadsEveryRemainingKeyOnce(reader, Removal.DELETED, 0);
		assertResumeReadsEveryRemainingKeyOnce(reader, Removal.DELETED, 2);
	}

	@ParameterizedTest
	@EnumSource(Reader.class)
	void shouldReadEveryRemainingKeyOnceAfterTheReadKeysOfThePageExpire(Reader reader) throws Exception {
		assertResumeReadsEveryRemainingKeyOnce(reader, Removal.EXPIRED, 2);
	}

	@ParameterizedTest
	@EnumSource(Reader.class)
	void shouldMissNoKeyWhenKeysWereAddedBeforeTheRestart(Reader kind) throws Exception {
		// given: a scan checkpointed late in its third page
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		Set<String> all = write(server, 0, KEYS);
		ExecutionContext context = new ExecutionContext();
		List<String> before = readPart(server, kind, context, 2);

		// when: the service writes as many new keys again (the table grows, the page
		// holds more), then the scan resumes
		write(server, KEYS, 2 * KEYS);
		List<String> after = readRest(server, kind, context, 2);

		// then: every key there throughout is read; new keys may or may not be
		Set<String> missed = new HashSet<>(all);
		before.forEach(missed::remove);
		after.forEach(missed::remove);
		assertThat(missed).isEmpty();
	}

	@ParameterizedTest
	@EnumSource(Reader.class)
	void shouldResumeFromACheckpointWithoutThePageEnd(Reader kind) throws Exception {
		// given: a checkpoint as an older version saved it: cursor and last key only
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		Set<String> all = write(server, 0, KEYS);
		ExecutionContext context = new ExecutionContext();
		List<String> before = readPart(server, kind, context, 0);
		String name = (kind == Reader.WORKFLOW) ? "states" : "keys";
		assertThat(context.containsKey(name + ".pageEnd")).isTrue();
		context.remove(name + ".pageEnd");

		// when
		List<String> after = readRest(server, kind, context, 0);

		// then
		Set<String> remaining = new HashSet<>(all);
		before.forEach(remaining::remove);
		assertThat(after).doesNotHaveDuplicates().hasSize(remaining.size());
		assertThat(new HashSet<>(after)).isEqualTo(remaining);
	}

	private static Set<String> write(RedisDatabase server, int from, int to) {
		Set<String> threadIds = new HashSet<>();
		try (Jedis jedis = server.jedis(); Pipeline pipeline = jedis.pipelined()) {
			for (int i = from; i < to; i++) {
				String threadId = "thread-" + i;
				threadIds.add(threadId);
				pipeline.set(PREFIX + threadId, "{\"n\":" + i + "}");
			}
		}
		return threadIds;
	}

	private static List<String> readPart(RedisDatabase server, Reader kind, ExecutionContext context,
			int pipelinesInFlight) throws Exception {
		List<String> read = new ArrayList<>();
		try (Readers readers = new Readers(server, pipelinesInFlight)) {
			ItemStreamReader<String> reader = readers.of(kind);
			reader.open(context);
			for (int i = 0; i < 2 * SCAN_COUNT + 900; i++) {
				read.add(reader.read());
			}
			reader.update(context);
			reader.close();
		}
		assertThat(read).doesNotContainNull().doesNotHaveDuplicates();
		return read;
	}

	private static List<String> readRest(RedisDatabase server, Reader kind, ExecutionContext context,
			int pipelinesInFlight) throws Exception {
		List<String> read = new ArrayList<>();
		try (Readers readers = new Readers(server, pipelinesInFlight)) {
			ItemStreamReader<String> reader = readers.of(kind);
			reader.open(new ExecutionContext(context));
			for (String threadId = reader.read(); threadId != null; threadId = reader.read()) {
				read.add(threadId);
			}
			reader.close();
		}
		return read;
	}

	private void assertResumeReadsEveryRemainingKeyOnce(Reader kind, Removal removal, int pipelinesInFlight)
			throws Exception {
		// given: a keyspace of many pages, read up to late in the third page, then
		// checkpointed
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		Set<String> all = write(server, 0, KEYS);
		ExecutionContext context = new ExecutionContext();
		List<String> before = readPart(server, kind, context, pipelinesInFlight);

		// when: the keys read are removed, then the scan resumes from the checkpoint
		remove(server, before, removal);
		List<String> after = readRest(server, kind, context, pipelinesInFlight);

		// then
		Set<String> remaining = new HashSet<>(all);
		before.forEach(remaining::remove);
		Set<String> missed = new HashSet<>(remaining);
		after.forEach(missed::remove);
		Set<String> readAgain = new HashSet<>(after);
		readAgain.removeAll(remaining);
		String run = removal + ", " + pipelinesInFlight + " pipelines in flight";
		assertThat(missed).as("keys missed, " + run).isEmpty();
		assertThat(readAgain).as("keys read before the checkpoint read again, " + run).isEmpty();
		assertThat(after).as(run).doesNotHaveDuplicates().hasSize(remaining.size());
	}

	private static void remove(RedisDatabase server, List<String> threadIds, Removal removal) throws Exception {
		try (Jedis jedis = server.jedis()) {
			try (Pipeline pipeline = jedis.pipelined()) {
				for (String threadId : threadIds) {
					if (removal == Removal.DELETED) {
						pipeline.del(PREFIX + threadId);
					}
					else {
						pipeline.pexpire(PREFIX + threadId, 1);
					}
				}
			}
			// expired keys leave the table when the server's active expiry finds them
			long deadline = System.currentTimeMillis() + 30_000;
			while (jedis.dbSize() > KEYS - threadIds.size() && System.currentTimeMillis() < deadline) {
				Thread.sleep(50);
			}
			assertThat(jedis.dbSize()).isEqualTo(KEYS - threadIds.size());
		}
	}

	/** The readers of one server, giving thread ids. */
	private static final class Readers implements AutoCloseable {

		private final RedisWorkflowStore store;

		private final RedisKeyReaders keyReaders;

		Readers(RedisDatabase server, int pipelinesInFlight) {
			WorkerSettings settings = WorkerSettings.defaults().withRedisPaging(SCAN_COUNT, 250, pipelinesInFlight);
			this.store = new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
					settings.keeperProperties().redis());
			this.keyReaders = RedisKeyReaders.connect(server.uri(), settings.keeperProperties());
		}

		ItemStreamReader<String> of(Reader kind) {
			return switch (kind) {
				case WORKFLOW -> mapped(this.store.readers("states").get(0), WorkflowEntry::threadId);
				case KEY_INFO ->
					mapped(this.keyReaders.reader("keys", PREFIX, KeyDetail.SIZE_AND_TTL, Clock.systemUTC()),
							KeyInfo::threadId);
			};
		}

		@Override
		public void close() {
			this.store.close();
			this.keyReaders.close();
		}

		private static <T> ItemStreamReader<String> mapped(ItemStreamReader<T> reader, Function<T, String> threadId) {
			return new ItemStreamReader<>() {

				@Override
				public String read() throws Exception {
					T item = reader.read();
					return (item != null) ? threadId.apply(item) : null;
				}

				@Override
				public void open(ExecutionContext context) {
					reader.open(context);
				}

				@Override
				public void update(ExecutionContext context) {
					reader.update(context);
				}

				@Override
				public void close() {
					reader.close();
				}

			};
		}

	}

}
