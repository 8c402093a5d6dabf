package dev.workflowkeeper.store.redis;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

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
 * Reads every workflow state of one Redis node: the string keys that start with the key prefix and
 * name a non-empty thread id, with their raw value and absolute expiry.
 * <p>
 * Enumerates with {@code SCAN cursor MATCH prefix* COUNT n}, never {@code KEYS}, and checks each key
 * against the exact prefix again (a glob only narrows the search). Values ({@code GET}) and expiries
 * ({@code PEXPIRETIME} on Redis 7, {@code PTTL} before) of a page are fetched in pipelines of
 * {@code pipelineSize} keys; keys of another type and keys that vanished between {@code SCAN} and
 * {@code GET} are passed over and counted ({@code otherType}, {@code vanished}). A key that is not
 * valid UTF-8 cannot carry a thread id: it is rejected with a {@link RejectedRecordException}, after
 * which the reader goes on (a restart inside its page may reject it once more).
 * <p>
 * Restartable: the ExecutionContext holds, under the reader's name, the {@code cursor} of the page in
 * progress and the {@code lastKey} passed in it, besides the counts {@code read}, {@code otherType}
 * and {@code vanished}. Each page's keys are sorted, so a restarted reader scans that page again from its cursor and
 * skips the keys up to the last one. The trade-off: a page is fetched twice around a restart, and a key
 * written into that page's slots after the first scan but sorting before the last key is missed, as
 * {@code SCAN} may miss keys created during an iteration anyway. {@code SCAN} returns every key that
 * exists for the whole iteration at least once; one that moves during a rehash may come twice, which
 * the idempotent writers absorb. Memory holds one page of keys and one pipeline of values.
 * <p>
 * Not thread-safe: use it from one step thread.
 */
final class RedisWorkflowItemReader extends ItemStreamSupport implements ItemStreamReader<WorkflowEntry> {

	private static final String START = ScanParams.SCAN_POINTER_START;

	private final RedisNode node;

	private final String prefixText;

	private final byte[] prefix;

	private final int scanCount;

	private final int pipelineSize;

	/** The cursor that produced the page in progress. */
	private String cursor = START;

	/** The last key passed in the page in progress, as stored in the context; {@code null} before the first. */
	private String lastKey;

	/** The keys of the page in progress still to fetch, sorted; {@code null} when no page is loaded. */
	private List<byte[]> page;

	private int pageIndex;

	/** The cursor that SCAN returned with the page in progress: where the next page starts. */
	private String nextCursor;

	private final Deque<Fetched> fetched = new ArrayDeque<>();

	private boolean exhausted;

	private long read;

	private long otherType;

	private long vanished;

	RedisWorkflowItemReader(String name, RedisNode node, String keyPrefix, int scanCount, int pipelineSize) {
		setName(name);
		this.node = node;
		this.prefixText = keyPrefix;
		this.prefix = keyPrefix.getBytes(StandardCharsets.UTF_8);
		this.scanCount = scanCount;
		this.pipelineSize = pipelineSize;
	}

	@Override
	public void open(ExecutionContext context) {
		this.cursor = context.getString(getExecutionContextKey("cursor"), START);
		this.lastKey = context.containsKey(getExecutionContextKey("lastKey"))
				? context.getString(getExecutionContextKey("lastKey")) : null;
		this.read = context.getLong(getExecutionContextKey("read"), 0);
		this.otherType = context.getLong(getExecutionContextKey("otherType"), 0);
		this.vanished = context.getLong(getExecutionContextKey("vanished"), 0);
		this.page = null;
		this.fetched.clear();
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
		context.putLong(getExecutionContextKey("otherType"), this.otherType);
		context.putLong(getExecutionContextKey("vanished"), this.vanished);
	}

	@Override
	public void close() {
		this.page = null;
		this.fetched.clear();
	}

	@Override
	public WorkflowEntry read() {
		while (true) {
			Fetched next = this.fetched.poll();
			if (next != null) {
				WorkflowEntry entry = pass(next);
				if (entry != null) {
					return entry;
				}
			}
			else if (this.page != null && this.pageIndex < this.page.size()) {
				fetchBatch();
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

	/** Moves the position past one fetched key; returns its entry, or {@code null} when it is passed over. */
	private WorkflowEntry pass(Fetched next) {
		String key = utf8(next.key());
		if (key != null) {
			this.lastKey = key;
		}
		switch (next.outcome()) {
			case ENTRY -> {
				this.read++;
				return new WorkflowEntry(key.substring(this.prefixText.length()), next.value(), next.expireAt());
			}
			case OTHER_TYPE -> this.otherType++;
			case VANISHED -> this.vanished++;
			case UNREADABLE_KEY -> throw new RejectedRecordException("key " + printable(next.key()), null,
					"the key is not valid UTF-8, so it names no thread id");
		}
		return null;
	}

	/** Loads the page at {@link #cursor}: the keys under the exact prefix, sorted, after the last key passed. */
	private void scanPage() {
		ScanParams params = new ScanParams().match(globEscaped(this.prefix)).count(this.scanCount);
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

	/** Fetches values and expiries of the next keys of the page in one pipeline. */
	private void fetchBatch() {
		List<byte[]> keys = this.page.subList(this.pageIndex, Math.min(this.page.size(), this.pageIndex + this.pipelineSize));
		this.pageIndex += keys.size();
		boolean absolute = this.node.version().hasPexpireTime();
		this.fetched.addAll(this.node.execute((jedis) -> fetch(jedis, keys, absolute)));
	}

	private static List<Fetched> fetch(Jedis jedis, List<byte[]> keys, boolean absolute) {
		List<Response<byte[]>> values = new ArrayList<>(keys.size());
		List<Response<Long>> expiries = new ArrayList<>(keys.size());
		long sentAt;
		try (Pipeline pipeline = jedis.pipelined()) {
			for (byte[] key : keys) {
				values.add(pipeline.get(key));
				expiries.add(absolute ? pipeline.pexpireTime(key) : pipeline.pttl(key));
			}
			// PTTL counts from when the server runs it, after this: now + pttl never extends a life
			sentAt = System.currentTimeMillis();
			pipeline.sync();
		}
		List<Fetched> fetched = new ArrayList<>(keys.size());
		for (int i = 0; i < keys.size(); i++) {
			byte[] key = keys.get(i);
			if (utf8(key) == null) {
				fetched.add(new Fetched(key, Outcome.UNREADABLE_KEY, null, 0));
				continue;
			}
			byte[] value;
			try {
				value = values.get(i).get();
			}
			catch (JedisDataException ex) {
				if (ex.getMessage() != null && ex.getMessage().startsWith("WRONGTYPE")) {
					fetched.add(new Fetched(key, Outcome.OTHER_TYPE, null, 0));
					continue;
				}
				throw ex;
			}
			long expiry = expiries.get(i).get();
			if (value == null || expiry == -2) {
				fetched.add(new Fetched(key, Outcome.VANISHED, null, 0));
			}
			else if (expiry == -1) {
				fetched.add(new Fetched(key, Outcome.ENTRY, value, WorkflowEntry.NO_EXPIRY));
			}
			else {
				fetched.add(new Fetched(key, Outcome.ENTRY, value, absolute ? expiry : sentAt + expiry));
			}
		}
		return fetched;
	}

	/** The prefix as a SCAN pattern that matches it literally, followed by {@code *}. */
	static byte[] globEscaped(byte[] prefix) {
		ByteArrayOutputStream pattern = new ByteArrayOutputStream(prefix.length + 8);
		for (byte b : prefix) {
			if (b == '*' || b == '?' || b == '[' || b == ']' || b == '\\') {
				pattern.write('\\');
			}
			pattern.write(b);
		}
		pattern.write('*');
		return pattern.toByteArray();
	}

	/** The key as text, or {@code null} when it is not valid UTF-8. */
	static String utf8(byte[] bytes) {
		if (ascii(bytes)) {
			// the common case, without a decoder
			return new String(bytes, StandardCharsets.ISO_8859_1);
		}
		try {
			return StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(bytes))
				.toString();
		}
		catch (CharacterCodingException ex) {
			return null;
		}
	}

	private static boolean ascii(byte[] bytes) {
		for (byte b : bytes) {
			if (b < 0) {
				return false;
			}
		}
		return true;
	}

	/** The key with every byte outside printable ASCII as {@code \\xNN}, for messages. */
	static String printable(byte[] key) {
		StringBuilder text = new StringBuilder();
		for (byte b : key) {
			text.append((b >= 0x20 && b < 0x7f) ? String.valueOf((char) b) : String.format("\\x%02x", b & 0xff));
		}
		return text.toString();
	}

	/** What fetching one key found. */
	private enum Outcome {

		ENTRY, OTHER_TYPE, VANISHED, UNREADABLE_KEY

	}

	private record Fetched(byte[] key, Outcome outcome, byte[] value, long expireAt) {
	}

}
