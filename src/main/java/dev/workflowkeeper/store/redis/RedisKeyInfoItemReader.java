package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.WorkflowEntry;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;

/**
 * Reads every key of one Redis node under the key prefix, of any type, as a maintenance scan sees it:
 * type, {@code MEMORY USAGE}, absolute expiry and, when values are asked for, the value of a string key.
 * <p>
 * Enumerates like {@link RedisWorkflowItemReader}: {@code SCAN cursor MATCH prefix* COUNT n}, the exact
 * prefix checked again, a key equal to the prefix (no thread id) passed over, each page sorted. The
 * keys of a page are inspected in pipelines of {@code pipelineSize} keys (one pipeline per page with the
 * defaults), each key with {@code TYPE}, {@code MEMORY USAGE}, {@code PEXPIRETIME} on Redis 7 or
 * {@code PTTL} before, and {@code GET} when values are asked for; a {@code WRONGTYPE} reply leaves the
 * value {@code null}. The commands of a pipeline are not atomic: a key that vanished between
 * {@code SCAN} and any of them is passed over and counted ({@code vanished}). A key that is not valid
 * UTF-8 names no thread id: it is rejected with a {@link RejectedRecordException}, after which the
 * reader goes on.
 * <p>
 * Restartable: the ExecutionContext holds, under the reader's name, the {@code cursor} of the page in
 * progress and the {@code lastKey} passed in it, and the counts {@code read} and {@code vanished}; see
 * {@link RedisWorkflowItemReader} for the trade-offs of a restart inside a page. Memory holds one page
 * of keys and one pipeline of values.
 * <p>
 * Not thread-safe: use it from one step thread.
 */
final class RedisKeyInfoItemReader extends ItemStreamSupport implements ItemStreamReader<KeyInfo> {

	private static final String START = ScanParams.SCAN_POINTER_START;

	private final RedisNode node;

	private final String prefixText;

	private final byte[] prefix;

	private final int scanCount;

	private final int pipelineSize;

	private final boolean withValues;

	/** The cursor that produced the page in progress. */
	private String cursor = START;

	/** The last key passed in the page in progress; {@code null} before the first. */
	private String lastKey;

	/** The keys of the page in progress, sorted; {@code null} when no page is loaded. */
	private List<byte[]> page;

	private int pageIndex;

	/** The cursor that SCAN returned with the page in progress: where the next page starts. */
	private String nextCursor;

	private final Deque<Inspected> inspected = new ArrayDeque<>();

	private boolean exhausted;

	private long read;

	private long vanished;

	RedisKeyInfoItemReader(String name, RedisNode node, String keyPrefix, int scanCount, int pipelineSize,
			boolean withValues) {
		setName(name);
		this.node = node;
		this.prefixText = keyPrefix;
		this.prefix = keyPrefix.getBytes(StandardCharsets.UTF_8);
		this.scanCount = scanCount;
		this.pipelineSize = pipelineSize;
		this.withValues = withValues;
	}

	@Override
	public void open(ExecutionContext context) {
		this.cursor = context.getString(getExecutionContextKey("cursor"), START);
		this.lastKey = context.containsKey(getExecutionContextKey("lastKey"))
				? context.getString(getExecutionContextKey("lastKey")) : null;
		this.read = context.getLong(getExecutionContextKey("read"), 0);
		this.vanished = context.getLong(getExecutionContextKey("vanished"), 0);
		this.page = null;
		this.inspected.clear();
		this.exhausted = false;
	}

	@Override
	public void update(ExecutionContext context) {
		context.putString(getExecutionContextKey("cursor"), this.cursor);
		if (this.lastKey != null) {
			context.putString(getExecutionContextKey("lastKey"), this.lastKey);
		}
		else {
			context.remove(getExecutionContextKey("lastKey"));
		}
		context.putLong(getExecutionContextKey("read"), this.read);
		context.putLong(getExecutionContextKey("vanished"), this.vanished);
	}

	@Override
	public void close() {
		this.page = null;
		this.inspected.clear();
	}

	@Override
	public KeyInfo read() {
		while (true) {
			Inspected next = this.inspected.poll();
			if (next != null) {
				KeyInfo info = pass(next);
				if (info != null) {
					return info;
				}
			}
			else if (this.page != null && this.pageIndex < this.page.size()) {
				inspectBatch();
			}
			else if (this.exhausted) {
				return null;
			}
			else if (this.page != null) {
				this.page = null;
				if (START.equals(this.nextCursor)) {
					// keep the last page's position: a restart finds nothing left in it
					this.exhausted = true;
				}
				else {
					this.cursor = this.nextCursor;
					this.lastKey = null;
				}
			}
			else {
				scanPage();
			}
		}
	}

	/** Moves the position past one inspected key; returns its info, or {@code null} when it is passed over. */
	private KeyInfo pass(Inspected next) {
		String key = RedisWorkflowItemReader.utf8(next.key());
		if (key == null) {
			throw new RejectedRecordException("key " + RedisWorkflowItemReader.printable(next.key()), null,
					"the key is not valid UTF-8, so it names no thread id");
		}
		this.lastKey = key;
		if (next.type() == null) {
			this.vanished++;
			return null;
		}
		this.read++;
		return new KeyInfo(key, key.substring(this.prefixText.length()), next.type(), next.memoryBytes(),
				next.expireAt(), next.value());
	}

	/** Loads the page at {@link #cursor}: the keys under the exact prefix, sorted, after the last key passed. */
	private void scanPage() {
		ScanParams params = new ScanParams().match(RedisWorkflowItemReader.globEscaped(this.prefix))
			.count(this.scanCount);
		ScanResult<byte[]> result = this.node
			.execute((jedis) -> jedis.scan(this.cursor.getBytes(StandardCharsets.US_ASCII), params));
		byte[] after = (this.lastKey != null) ? this.lastKey.getBytes(StandardCharsets.UTF_8) : null;
		List<byte[]> keys = new ArrayList<>(result.getResult().size());
		for (byte[] key : result.getResult()) {
			if (key.length > this.prefix.length
					&& Arrays.equals(key, 0, this.prefix.length, this.prefix, 0, this.prefix.length)
					&& (after == null || Arrays.compareUnsigned(key, after) > 0)) {
				keys.add(key);
			}
		}
		// byte order is code point order for UTF-8, the order in which lastKey compares
		keys.sort(Arrays::compareUnsigned);
		this.page = keys;
		this.pageIndex = 0;
		this.nextCursor = result.getCursor();
	}

	private void inspectBatch() {
		List<byte[]> keys = this.page.subList(this.pageIndex,
				Math.min(this.page.size(), this.pageIndex + this.pipelineSize));
		this.pageIndex += keys.size();
		boolean absolute = this.node.version().hasPexpireTime();
		this.inspected.addAll(this.node.execute((jedis) -> inspect(jedis, keys, absolute, this.withValues)));
	}

	private static List<Inspected> inspect(Jedis jedis, List<byte[]> keys, boolean absolute, boolean withValues) {
		List<Response<String>> types = new ArrayList<>(keys.size());
		List<Response<Long>> memories = new ArrayList<>(keys.size());
		List<Response<Long>> expiries = new ArrayList<>(keys.size());
		List<Response<byte[]>> values = new ArrayList<>(keys.size());
		long sentAt;
		try (Pipeline pipeline = jedis.pipelined()) {
			for (byte[] key : keys) {
				types.add(pipeline.type(key));
				memories.add(pipeline.memoryUsage(key));
				expiries.add(absolute ? pipeline.pexpireTime(key) : pipeline.pttl(key));
				if (withValues) {
					values.add(pipeline.get(key));
				}
			}
			// PTTL counts from when the server runs it, after this: now + pttl never extends a life
			sentAt = System.currentTimeMillis();
			pipeline.sync();
		}
		List<Inspected> inspected = new ArrayList<>(keys.size());
		for (int i = 0; i < keys.size(); i++) {
			byte[] key = keys.get(i);
			String type = types.get(i).get();
			Long memory = memories.get(i).get();
			long expiry = expiries.get(i).get();
			byte[] value = withValues ? valueOrNull(values.get(i)) : null;
			boolean gone = "none".equals(type) || memory == null || expiry == -2
					|| (withValues && "string".equals(type) && value == null);
			if (gone) {
				inspected.add(new Inspected(key, null, 0, 0, null));
			}
			else {
				long expireAt = (expiry == -1) ? WorkflowEntry.NO_EXPIRY : (absolute ? expiry : sentAt + expiry);
				inspected.add(new Inspected(key, type, memory, expireAt, value));
			}
		}
		return inspected;
	}

	/** The value of a string key; {@code null} when the key is gone or holds another type. */
	private static byte[] valueOrNull(Response<byte[]> reply) {
		try {
			return reply.get();
		}
		catch (JedisDataException ex) {
			if (ex.getMessage() != null && ex.getMessage().startsWith("WRONGTYPE")) {
				return null;
			}
			throw ex;
		}
	}

	/** What inspecting one key found; {@code type == null} when it vanished. */
	private record Inspected(byte[] key, String type, long memoryBytes, long expireAt, byte[] value) {
	}

}
