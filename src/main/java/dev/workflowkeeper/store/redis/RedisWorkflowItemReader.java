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

/**
 * Reads every workflow state of one Redis node: the string keys that start with the key
 * prefix and name a non-empty thread id, with their raw value and absolute expiry.
 * <p>
 * Enumerates through {@link RedisKeyPages}: {@code SCAN cursor MATCH prefix* COUNT n},
 * never {@code KEYS}, each key checked against the exact prefix again. Values
 * ({@code GET}) and expiries ({@code PEXPIRETIME} on Redis 7, {@code PTTL} before) of a
 * page are fetched in pipelines of {@code pipelineSize} keys, {@code pipelinesInFlight}
 * of them ahead of the step; keys of another type and keys that vanished between
 * {@code SCAN} and {@code GET} are passed over and counted ({@code otherType},
 * {@code vanished}). A key that is not valid UTF-8 cannot carry a thread id: it is
 * rejected with a {@link RejectedRecordException}, after which the reader goes on (a
 * restart inside its page may reject it once more).
 * <p>
 * Restartable: the ExecutionContext holds, under the reader's name, the {@code cursor} of
 * the page in progress, the {@code lastKey} passed in it and the cursor that followed
 * that page when first scanned ({@code pageEnd}), besides the counts {@code read},
 * {@code otherType} and {@code vanished}; see {@link RedisKeyPages} for the trade-offs of
 * a restart inside a page (a key that comes twice is absorbed by the idempotent writers).
 * <p>
 * Not thread-safe: use it from one step thread.
 */
final class RedisWorkflowItemReader extends RedisScanItemReader<RedisWorkflowItemReader.Fetched, WorkflowEntry> {

	private static final int READ = 0;

	private static final int OTHER_TYPE = 1;

	private static final int VANISHED = 2;

	RedisWorkflowItemReader(String name, RedisNode node, String keyPrefix, int scanCount, int pipelineSize,
			int pipelinesInFlight) {
		super(name, node, keyPrefix, scanCount, pipelineSize, pipelinesInFlight,
				(jedis, keys) -> fetch(jedis, keys, node), "read", "otherType", "vanished");
	}

	@Override
	WorkflowEntry pass(Fetched next) {
		if (next.text() != null) {
			passed(next.text());
		}
		switch (next.outcome()) {
			case ENTRY -> {
				count(READ);
				return new WorkflowEntry(threadId(next.text()), next.value(), next.expireAt());
			}
			case OTHER_TYPE -> count(OTHER_TYPE);
			case VANISHED -> count(VANISHED);
			case UNREADABLE_KEY -> throw new RejectedRecordException("key " + printable(next.key()), null,
					"the key is not valid UTF-8, so it names no thread id");
		}
		return null;
	}

	/**
	 * Fetches a batch; when the node turns out not to run {@code PEXPIRETIME} for the
	 * user, fetches it again with {@code PTTL} (see {@link RedisCommands}).
	 */
	private static List<Fetched> fetch(Jedis jedis, List<byte[]> keys, RedisNode node) {
		boolean absolute = node.hasPexpireTime();
		try {
			return fetch(jedis, keys, absolute);
		}
		catch (JedisDataException ex) {
			if (absolute && node.commands().missing(RedisCommands.Command.PEXPIRETIME, ex)) {
				return fetch(jedis, keys, false);
			}
			throw ex;
		}
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
			// PTTL counts from when the server runs it, after this: now + pttl never
			// extends a life
			sentAt = System.currentTimeMillis();
			pipeline.sync();
		}
		List<Fetched> fetched = new ArrayList<>(keys.size());
		for (int i = 0; i < keys.size(); i++) {
			byte[] key = keys.get(i);
			// decoded here, on the fetching thread, once
			String text = utf8(key);
			if (text == null) {
				fetched.add(new Fetched(key, null, Outcome.UNREADABLE_KEY, null, 0));
				continue;
			}
			byte[] value;
			try {
				value = values.get(i).get();
			}
			catch (JedisDataException ex) {
				if (ex.getMessage() != null && ex.getMessage().startsWith("WRONGTYPE")) {
					fetched.add(new Fetched(key, text, Outcome.OTHER_TYPE, null, 0));
					continue;
				}
				throw ex;
			}
			long expiry = expiries.get(i).get();
			if (value == null || expiry == -2) {
				fetched.add(new Fetched(key, text, Outcome.VANISHED, null, 0));
			}
			else if (expiry == -1) {
				fetched.add(new Fetched(key, text, Outcome.ENTRY, value, WorkflowEntry.NO_EXPIRY));
			}
			else {
				fetched.add(new Fetched(key, text, Outcome.ENTRY, value, absolute ? expiry : sentAt + expiry));
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
	enum Outcome {

		ENTRY, OTHER_TYPE, VANISHED, UNREADABLE_KEY

	}

	/**
	 * What fetching one key found; {@code text} is the key decoded, {@code null} when it
	 * is not UTF-8.
	 */
	record Fetched(byte[] key, String text, Outcome outcome, byte[] value, long expireAt) {
	}

}
