package dev.workflowkeeper.store.redis;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.WorkflowEntry;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;

/**
 * Reads every workflow state of one Redis node: the string keys that start with the key prefix and
 * name a non-empty thread id, with their raw value and absolute expiry.
 * <p>
 * Enumerates through {@link RedisKeyPages}: {@code SCAN cursor MATCH prefix* COUNT n}, never
 * {@code KEYS}, each key checked against the exact prefix again. Values ({@code GET}) and expiries
 * ({@code PEXPIRETIME} on Redis 7, {@code PTTL} before) of a page are fetched in pipelines of
 * {@code pipelineSize} keys, {@code pipelinesInFlight} of them ahead of the step; keys of another
 * type and keys that vanished between {@code SCAN} and {@code GET} are passed over and counted
 * ({@code otherType}, {@code vanished}). A key that is not
 * valid UTF-8 cannot carry a thread id: it is rejected with a {@link RejectedRecordException}, after
 * which the reader goes on (a restart inside its page may reject it once more).
 * <p>
 * Restartable: the ExecutionContext holds, under the reader's name, the {@code cursor} of the page in
 * progress and the {@code lastKey} passed in it, besides the counts {@code read}, {@code otherType}
 * and {@code vanished}; see {@link RedisKeyPages} for the trade-offs of a restart inside a page (a key
 * that comes twice is absorbed by the idempotent writers).
 * <p>
 * Not thread-safe: use it from one step thread.
 */
final class RedisWorkflowItemReader extends ItemStreamSupport implements ItemStreamReader<WorkflowEntry> {

	private final String prefixText;

	private final RedisKeyPages<Fetched> pages;

	private long read;

	private long otherType;

	private long vanished;

	RedisWorkflowItemReader(String name, RedisNode node, String keyPrefix, int scanCount, int pipelineSize,
			int pipelinesInFlight) {
		setName(name);
		this.prefixText = keyPrefix;
		this.pages = new RedisKeyPages<>(name, node, keyPrefix.getBytes(StandardCharsets.UTF_8), scanCount,
				pipelineSize, pipelinesInFlight, (jedis, keys) -> fetch(jedis, keys, node.version().hasPexpireTime()));
	}

	@Override
	public void open(ExecutionContext context) {
		this.read = context.getLong(getExecutionContextKey("read"), 0);
		this.otherType = context.getLong(getExecutionContextKey("otherType"), 0);
		this.vanished = context.getLong(getExecutionContextKey("vanished"), 0);
		this.pages.start(context.getString(getExecutionContextKey("cursor"), ScanParams.SCAN_POINTER_START),
				context.containsKey(getExecutionContextKey("lastKey"))
						? context.getString(getExecutionContextKey("lastKey")) : null);
	}

	@Override
	public void update(ExecutionContext context) {
		context.putString(getExecutionContextKey("cursor"), this.pages.cursor());
		if (this.pages.lastKey() != null) {
			context.putString(getExecutionContextKey("lastKey"), this.pages.lastKey());
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
		this.pages.close();
	}

	@Override
	public WorkflowEntry read() {
		for (Fetched next = this.pages.next(); next != null; next = this.pages.next()) {
			WorkflowEntry entry = pass(next);
			if (entry != null) {
				return entry;
			}
		}
		return null;
	}

	/** Moves the position past one fetched key; returns its entry, or {@code null} when it is passed over. */
	private WorkflowEntry pass(Fetched next) {
		String key = utf8(next.key());
		if (key != null) {
			this.pages.passed(key);
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
