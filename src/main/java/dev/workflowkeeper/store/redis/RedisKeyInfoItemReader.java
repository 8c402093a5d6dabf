package dev.workflowkeeper.store.redis;

import java.time.Clock;
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
 * {@code TYPE} for that key.
 * <p>
 * On a node that does not run {@code MEMORY USAGE} for the user, memory is estimated
 * ({@link RedisMemoryEstimate}) from the value, or from {@code STRLEN} when values are
 * not read; on one that does not run {@code PEXPIRETIME} or {@code TIME}, expiries are
 * read with {@code PTTL}. The batch that meets the refusal is inspected again without the
 * command (see {@link RedisCommands}).
 * <p>
 * Expiries are reported on the worker's clock (the reader's {@link Clock}), the one the
 * jobs judge them by ({@link KeyInfo#expireAtMillis}), not on the server's: the worker's
 * clock is read just before a pipeline leaves; on Redis 7 the pipeline starts with one
 * {@code TIME}, and each {@code PEXPIRETIME} is moved by the difference between the two
 * clocks; before, the expiry is the worker's clock then plus {@code PTTL}. Either way an
 * expiry minus the worker's now is the key's remaining TTL to within the pipeline's round
 * trip: at most that much earlier than the key's real expiry, and no later but for the
 * rounding to the millisecond, however far the worker's clock is off the server's. The
 * whole cost is one {@code TIME} per pipeline on Redis 7, in the same round trip.
 * <p>
 * The commands of a pipeline are not atomic: a key that vanished between {@code SCAN} and
 * any of them is passed over and counted ({@code vanished}). A key that is not valid
 * UTF-8 names no thread id: it is rejected with a {@link RejectedRecordException}, after
 * which the reader goes on.
 * <p>
 * With {@code pipelinesInFlight > 0} the pipelines run ahead of the step on background
 * threads, and the values are parsed there ({@link KeyInfo#fields}), not on the step's
 * thread.
 * <p>
 * A {@link #sample} ends the scan early and tags each key with its page
 * ({@link KeyInfo#page}).
 * <p>
 * Restartable: the ExecutionContext holds, under the reader's name, the {@code cursor} of
 * the page in progress, the {@code lastKey} passed in it and the cursor that followed
 * that page when first scanned ({@code pageEnd}), and the counts {@code read} and
 * {@code vanished}; see {@link RedisKeyPages} for the trade-offs of a restart inside a
 * page. Inspection done ahead of the position is simply done again after a restart.
 * <p>
 * Not thread-safe: use it from one step thread.
 */
final class RedisKeyInfoItemReader extends RedisScanItemReader<RedisKeyInfoItemReader.Inspected, KeyInfo> {

	private static final int READ = 0;

	private static final int VANISHED = 1;

	/** A reader whose expiries are on the system clock. */
	RedisKeyInfoItemReader(String name, RedisNode node, String keyPrefix, int scanCount, int pipelineSize,
			int pipelinesInFlight, KeyDetail detail) {
		this(name, node, keyPrefix, scanCount, pipelineSize, pipelinesInFlight, detail, Clock.systemUTC());
	}

	/**
	 * @param clock the worker's clock, on which the expiries are reported: the one that
	 * judges them
	 */
	RedisKeyInfoItemReader(String name, RedisNode node, String keyPrefix, int scanCount, int pipelineSize,
			int pipelinesInFlight, KeyDetail detail, Clock clock) {
		super(name, node, keyPrefix, scanCount, pipelineSize, pipelinesInFlight,
				(jedis, keys) -> inspect(jedis, keys, node, detail, clock), "read", "vanished");
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
				next.fields(), page());
	}

	/**
	 * Inspects a batch with the commands the node runs; a batch that meets a command the
	 * node turns out not to run ({@link RedisCommands}) is inspected again without it.
	 */
	private static List<Inspected> inspect(Jedis jedis, List<byte[]> keys, RedisNode node, KeyDetail detail,
			Clock clock) {
		RedisCommands commands = node.commands();
		for (;;) {
			try {
				return inspect(jedis, keys, node.hasPexpireTime(), commands.has(RedisCommands.Command.MEMORY_USAGE),
						detail, clock, commands);
			}
			catch (MissingCommandException ex) {
				// remembered: the next attempt goes without it
			}
		}
	}

	private static <T> T reply(Response<T> response, RedisCommands commands, RedisCommands.Command command) {
		try {
			return response.get();
		}
		catch (JedisDataException ex) {
			if (commands.missing(command, ex)) {
				throw new MissingCommandException();
			}
			throw ex;
		}
	}

	/**
	 * @param absolute whether expiries are read with {@code PEXPIRETIME} (and
	 * {@code TIME}), else {@code PTTL}
	 * @param memoryUsage whether memory is read with {@code MEMORY USAGE}, else estimated
	 * from the value's length ({@code STRLEN} when the value is not read)
	 */
	private static List<Inspected> inspect(Jedis jedis, List<byte[]> keys, boolean absolute, boolean memoryUsage,
			KeyDetail detail, Clock clock, RedisCommands commands) {
		boolean types = detail == KeyDetail.TYPE;
		boolean values = detail == KeyDetail.VALUE;
		List<Response<String>> typeReplies = new ArrayList<>(types ? keys.size() : 0);
		// MEMORY USAGE, or STRLEN for an estimate
		List<Response<Long>> memories = new ArrayList<>(keys.size());
		List<Response<Long>> expiries = new ArrayList<>(keys.size());
		List<Response<byte[]>> valueReplies = new ArrayList<>(values ? keys.size() : 0);
		Response<List<String>> serverTime = null;
		// Read before the first command is queued, as a pipeline's buffer goes out
		// whenever it fills: the server reads its own clock (TIME, PTTL) after this, so
		// an expiry moved onto the worker's clock comes out early by the way there, never
		// late.
		long sentAt = clock.millis();
		try (Pipeline pipeline = jedis.pipelined()) {
			if (absolute) {
				// first, so that the server's clock is read as close to sentAt as it can
				serverTime = pipeline.time();
			}
			for (byte[] key : keys) {
				if (types) {
					typeReplies.add(pipeline.type(key));
				}
				if (memoryUsage) {
					memories.add(pipeline.memoryUsage(key));
				}
				else if (!values) {
					memories.add(pipeline.strlen(key));
				}
				expiries.add(absolute ? pipeline.pexpireTime(key) : pipeline.pttl(key));
				if (values) {
					valueReplies.add(pipeline.get(key));
				}
			}
			pipeline.sync();
		}
		// PEXPIRETIME is on the server's clock: moved onto the worker's. A user refused
		// TIME reads expiries with PTTL as one refused PEXPIRETIME does
		long workerAhead = absolute
				? sentAt - serverMillis(reply(serverTime, commands, RedisCommands.Command.PEXPIRETIME)) : 0;
		Long[] memoryOf = new Long[keys.size()];
		long[] expiryOf = new long[keys.size()];
		for (int i = 0; i < keys.size(); i++) {
			// the optional commands' replies first: one the node does not run sends the
			// batch again without it
			if (memoryUsage) {
				memoryOf[i] = reply(memories.get(i), commands, RedisCommands.Command.MEMORY_USAGE);
			}
			expiryOf[i] = reply(expiries.get(i), commands, RedisCommands.Command.PEXPIRETIME);
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
			long expiry = expiryOf[i];
			Long memory = memoryUsage ? memoryOf[i]
					: Long.valueOf(estimate(keys.get(i), values ? valueOf[i] : memories.get(i)));
			boolean gone = memory == null || expiry == -2 || "none".equals(typeOf[i]) || (values && typeOf[i] == null);
			if (gone) {
				inspected.add(new Inspected(keys.get(i), true, null, 0, 0, null, null));
			}
			else {
				long expireAt = (expiry == -1) ? WorkflowEntry.NO_EXPIRY
						: (absolute ? expiry + workerAhead : sentAt + expiry);
				// parsed here, on the inspecting thread, not on the step's
				StateFields fields = (valueOf[i] != null) ? StateFields.read(valueOf[i]) : null;
				inspected.add(new Inspected(keys.get(i), false, typeOf[i], memory, expireAt, valueOf[i], fields));
			}
		}
		return inspected;
	}

	/**
	 * What a key costs without {@code MEMORY USAGE}: from its value when read, else from
	 * the reply to {@code STRLEN} ({@code WRONGTYPE} for another type: its key alone).
	 */
	private static long estimate(byte[] key, Object valueOrLength) {
		if (valueOrLength instanceof byte[] value) {
			return RedisMemoryEstimate.bytes(key.length, value.length);
		}
		long length = 0;
		if (valueOrLength instanceof Response<?> reply) {
			try {
				length = (Long) reply.get();
			}
			catch (JedisDataException ex) {
				if (ex.getMessage() == null || !ex.getMessage().startsWith("WRONGTYPE")) {
					throw ex;
				}
			}
		}
		return RedisMemoryEstimate.bytes(key.length, length);
	}

	/** The server's clock, in epoch millis, from the reply of {@code TIME}. */
	private static long serverMillis(List<String> time) {
		return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
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

	/** A command the node turned out not to run, now remembered: inspect again. */
	private static final class MissingCommandException extends RuntimeException {

		MissingCommandException() {
			super(null, null, false, false);
		}

	}

	/** What inspecting one key found. */
	record Inspected(byte[] key, boolean gone, String type, long memoryBytes, long expireAt, byte[] value,
			StateFields fields) {
	}

}
