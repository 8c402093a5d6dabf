package dev.workflowkeeper.store.redis;

import java.util.ArrayList;
import java.util.List;

import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.WorkflowEntry;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Reads every key of one Redis node under the key prefix, of any type, as a maintenance
 * scan sees it: {@code MEMORY USAGE}, absolute expiry and, as the {@link KeyDetail} asks,
 * the type and the value of a string key.
 * <p>
 * Enumerates through {@link RedisKeyPages}, as {@link RedisWorkflowItemReader} does. The
 * keys of a page are inspected in pipelines of {@code pipelineSize} keys (one pipeline
 * per page with the defaults), each key with {@code MEMORY USAGE}, {@code PEXPIRETIME} on
 * Redis 7 or {@code PTTL} before, {@code TYPE} when types are asked for, and {@code GET}
 * when values are; a {@code WRONGTYPE} reply to {@code GET} is followed by one
 * {@code TYPE} for that key. The commands of a pipeline are not atomic: a key that
 * vanished between {@code SCAN} and any of them is passed over and counted
 * ({@code vanished}). A key that is not valid UTF-8 names no thread id: it is rejected
 * with a {@link RejectedRecordException}, after which the reader goes on.
 * <p>
 * With {@code pipelinesInFlight > 0} the pipelines run ahead of the step on background
 * threads, and the values are parsed there ({@link KeyInfo#fields}), not on the step's
 * thread.
 * <p>
 * Restartable: the ExecutionContext holds, under the reader's name, the {@code cursor} of
 * the page in progress and the {@code lastKey} passed in it, and the counts {@code read}
 * and {@code vanished}; see {@link RedisKeyPages} for the trade-offs of a restart inside
 * a page. Inspection done ahead of the position is simply done again after a restart.
 * <p>
 * Not thread-safe: use it from one step thread.
 */
final class RedisKeyInfoItemReader extends RedisScanItemReader<RedisKeyInfoItemReader.Inspected, KeyInfo> {

	private static final int READ = 0;

	private static final int VANISHED = 1;

	RedisKeyInfoItemReader(String name, RedisNode node, String keyPrefix, int scanCount, int pipelineSize,
			int pipelinesInFlight, KeyDetail detail) {
		super(name, node, keyPrefix, scanCount, pipelineSize, pipelinesInFlight,
				(jedis, keys) -> inspect(jedis, keys, node.version().hasPexpireTime(), detail), "read", "vanished");
	}

	@Override
	KeyInfo pass(Inspected next) {
		String key = RedisWorkflowItemReader.utf8(next.key());
		if (key == null) {
			throw new RejectedRecordException("key " + RedisWorkflowItemReader.printable(next.key()), null,
					"the key is not valid UTF-8, so it names no thread id");
		}
		passed(key);
		if (next.gone()) {
			count(VANISHED);
			return null;
		}
		count(READ);
		return new KeyInfo(key, threadId(key), next.type(), next.memoryBytes(), next.expireAt(), next.value(),
				next.fields());
	}

	private static List<Inspected> inspect(Jedis jedis, List<byte[]> keys, boolean absolute, KeyDetail detail) {
		boolean types = detail == KeyDetail.TYPE;
		boolean values = detail == KeyDetail.VALUE;
		List<Response<String>> typeReplies = new ArrayList<>(types ? keys.size() : 0);
		List<Response<Long>> memories = new ArrayList<>(keys.size());
		List<Response<Long>> expiries = new ArrayList<>(keys.size());
		List<Response<byte[]>> valueReplies = new ArrayList<>(values ? keys.size() : 0);
		long sentAt;
		try (Pipeline pipeline = jedis.pipelined()) {
			for (byte[] key : keys) {
				if (types) {
					typeReplies.add(pipeline.type(key));
				}
				memories.add(pipeline.memoryUsage(key));
				expiries.add(absolute ? pipeline.pexpireTime(key) : pipeline.pttl(key));
				if (values) {
					valueReplies.add(pipeline.get(key));
				}
			}
			// PTTL counts from when the server runs it, after this: now + pttl never
			// extends a life
			sentAt = System.currentTimeMillis();
			pipeline.sync();
		}
		String[] typeOf = new String[keys.size()];
		byte[][] valueOf = new byte[keys.size()][];
		List<Integer> otherTypes = new ArrayList<>();
		for (int i = 0; i < keys.size(); i++) {
			if (types) {
				typeOf[i] = typeReplies.get(i).get();
			}
			else if (values) {
				valueOf[i] = valueOrWrongType(valueReplies.get(i));
				if (valueOf[i] == WRONG_TYPE) {
					valueOf[i] = null;
					otherTypes.add(i);
				}
				else if (valueOf[i] != null) {
					typeOf[i] = "string";
				}
			}
		}
		if (!otherTypes.isEmpty()) {
			// rare: a look-alike key of another type, named by a second round trip
			try (Pipeline pipeline = jedis.pipelined()) {
				List<Response<String>> replies = new ArrayList<>(otherTypes.size());
				for (int i : otherTypes) {
					replies.add(pipeline.type(keys.get(i)));
				}
				pipeline.sync();
				for (int j = 0; j < otherTypes.size(); j++) {
					typeOf[otherTypes.get(j)] = replies.get(j).get();
				}
			}
		}
		List<Inspected> inspected = new ArrayList<>(keys.size());
		for (int i = 0; i < keys.size(); i++) {
			Long memory = memories.get(i).get();
			long expiry = expiries.get(i).get();
			boolean gone = memory == null || expiry == -2 || "none".equals(typeOf[i]) || (values && typeOf[i] == null);
			if (gone) {
				inspected.add(new Inspected(keys.get(i), true, null, 0, 0, null, null));
			}
			else {
				long expireAt = (expiry == -1) ? WorkflowEntry.NO_EXPIRY : (absolute ? expiry : sentAt + expiry);
				// parsed here, on the inspecting thread, not on the step's
				StateFields fields = (valueOf[i] != null) ? StateFields.read(valueOf[i]) : null;
				inspected.add(new Inspected(keys.get(i), false, typeOf[i], memory, expireAt, valueOf[i], fields));
			}
		}
		return inspected;
	}

	private static final byte[] WRONG_TYPE = new byte[0];

	/**
	 * The value of a string key; {@code null} when the key is gone, {@link #WRONG_TYPE}
	 * for another type.
	 */
	private static byte[] valueOrWrongType(Response<byte[]> reply) {
		try {
			return reply.get();
		}
		catch (JedisDataException ex) {
			if (ex.getMessage() != null && ex.getMessage().startsWith("WRONGTYPE")) {
				return WRONG_TYPE;
			}
			throw ex;
		}
	}

	/** What inspecting one key found. */
	record Inspected(byte[] key, boolean gone, String type, long memoryBytes, long expireAt, byte[] value,
			StateFields fields) {
	}

}
