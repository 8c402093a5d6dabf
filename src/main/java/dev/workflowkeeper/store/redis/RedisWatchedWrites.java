package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import dev.workflowkeeper.store.MaintainableStore.KeyValue;
import dev.workflowkeeper.store.MaintainableStore.TtlChange;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * Compare-and-delete and compare-and-set TTL without Lua, for a node that does not run
 * {@code EVAL} for the user (renamed away, refused by an ACL): the keys of a batch are
 * {@code WATCH}ed, read in one pipeline, judged here exactly as {@link TtlScript} and
 * {@link DeleteIfUnchangedScript} judge them, and the writes go in one
 * {@code MULTI}/{@code EXEC}, which Redis refuses whole when any watched key changed
 * meanwhile. A refused batch is read and judged again, twice, then key by key; a key that
 * changes under every one of its attempts counts as changed (it is neither deleted nor
 * given a new expiry): a state the service keeps writing is not one to purge.
 * <p>
 * Three round trips a batch instead of one, and a service write to any key of the batch
 * between the read and the {@code EXEC} costs the batch another try. The user needs
 * {@code +watch +multi +exec} and the commands of the writes ({@code +unlink},
 * {@code +pexpireat}) and reads ({@code +get}, {@code +pttl}, {@code +time}). All keys of
 * a batch are watched on one connection, so on a Redis Cluster they must share a slot.
 */
final class RedisWatchedWrites {

	/** Tries of a whole batch before it goes key by key. */
	private static final int BATCH_TRIES = 3;

	/** Tries of one key before it counts as changed. */
	private static final int KEY_TRIES = 5;

	private RedisWatchedWrites() {
	}

	/**
	 * Deletes ({@code UNLINK}) each key whose value is still exactly the judged one.
	 * @return for each entry 1 when deleted, 0 when not, as the script answers
	 */
	static List<Object> deleteIfUnchanged(Jedis jedis, List<KeyValue> batch) {
		List<byte[]> keys = batch.stream().map((entry) -> utf8(entry.key())).toList();
		return watched(jedis, keys, 0L, (indices) -> {
			List<Response<byte[]>> values = new ArrayList<>(indices.size());
			try (Pipeline pipeline = jedis.pipelined()) {
				for (int i : indices) {
					values.add(pipeline.get(keys.get(i)));
				}
				pipeline.sync();
			}
			List<Object> outcomes = new ArrayList<>(indices.size());
			List<Consumer<Transaction>> writes = new ArrayList<>();
			for (int j = 0; j < indices.size(); j++) {
				byte[] key = keys.get(indices.get(j));
				if (Arrays.equals(valueOrNull(values.get(j)), batch.get(indices.get(j)).value())) {
					outcomes.add(1L);
					writes.add((transaction) -> transaction.unlink(key));
				}
				else {
					outcomes.add(0L);
				}
			}
			return new Plan<>(outcomes, writes);
		});
	}

	/**
	 * Gives each key an expiry no later than its change's maximum, as {@link TtlScript}
	 * does: the expiry is read with {@code PTTL} between two reads of the server's
	 * {@code TIME}, which bound it; the maximum TTL counts from the later read.
	 */
	static List<TtlOutcome> enforceTtl(Jedis jedis, List<TtlChange> changes) {
		List<byte[]> keys = changes.stream().map((change) -> utf8(change.key())).toList();
		return watched(jedis, keys, TtlOutcome.CHANGED_OR_GONE, (indices) -> {
			List<Response<byte[]>> values = new ArrayList<>(indices.size());
			List<Response<Long>> ttls = new ArrayList<>(indices.size());
			Response<List<String>> before;
			Response<List<String>> after;
			try (Pipeline pipeline = jedis.pipelined()) {
				before = pipeline.time();
				for (int i : indices) {
					values.add((changes.get(i).expectedValue() != null) ? pipeline.get(keys.get(i)) : null);
					ttls.add(pipeline.pttl(keys.get(i)));
				}
				after = pipeline.time();
				pipeline.sync();
			}
			long earliestNow = millis(before.get());
			long latestNow = millis(after.get());
			List<TtlOutcome> outcomes = new ArrayList<>(indices.size());
			List<Consumer<Transaction>> writes = new ArrayList<>();
			for (int j = 0; j < indices.size(); j++) {
				TtlChange change = changes.get(indices.get(j));
				byte[] key = keys.get(indices.get(j));
				long pttl = ttls.get(j).get();
				if (pttl == -2 || (change.expectedValue() != null
						&& !Arrays.equals(valueOrNull(values.get(j)), change.expectedValue()))) {
					outcomes.add(TtlOutcome.CHANGED_OR_GONE);
					continue;
				}
				long max = change.maxExpireAtMillis();
				if (change.maxTtl() != null) {
					max = Math.min(max, latestNow + change.maxTtl().toMillis());
				}
				long target = max - change.belowMaxMillis();
				if (pttl == -1) {
					long fill = Math.min(change.fillExpireAtMillis(), target);
					outcomes.add(TtlOutcome.FIXED_MISSING);
					writes.add((transaction) -> transaction.pexpireAt(key, fill));
				}
				else if (latestNow + pttl > max) {
					long capped = Math.min(target, earliestNow + pttl);
					outcomes.add(TtlOutcome.CAPPED);
					writes.add((transaction) -> transaction.pexpireAt(key, capped));
				}
				else {
					outcomes.add(TtlOutcome.UNTOUCHED);
				}
			}
			return new Plan<>(outcomes, writes);
		});
	}

	/**
	 * Runs {@code judge} on the watched keys and its writes in one transaction, again
	 * while a watched key changes: the batch {@value #BATCH_TRIES} times, then key by
	 * key; a key that never holds still gets {@code changed}.
	 */
	private static <R> List<R> watched(Jedis jedis, List<byte[]> keys, R changed, Judge<R> judge) {
		List<Integer> all = new ArrayList<>(keys.size());
		for (int i = 0; i < keys.size(); i++) {
			all.add(i);
		}
		for (int attempt = 0; attempt < BATCH_TRIES; attempt++) {
			List<R> outcomes = attempt(jedis, keys, all, judge);
			if (outcomes != null) {
				return outcomes;
			}
		}
		List<R> outcomes = new ArrayList<>(keys.size());
		for (int i = 0; i < keys.size(); i++) {
			R outcome = changed;
			for (int attempt = 0; attempt < KEY_TRIES; attempt++) {
				List<R> one = attempt(jedis, keys, List.of(i), judge);
				if (one != null) {
					outcome = one.get(0);
					break;
				}
			}
			outcomes.add(outcome);
		}
		return outcomes;
	}

	/** One try: the outcomes, or {@code null} when a watched key changed. */
	private static <R> List<R> attempt(Jedis jedis, List<byte[]> keys, List<Integer> indices, Judge<R> judge) {
		jedis.watch(indices.stream().map(keys::get).toArray(byte[][]::new));
		Plan<R> plan;
		try {
			plan = judge.judge(indices);
		}
		catch (RuntimeException ex) {
			jedis.unwatch();
			throw ex;
		}
		if (plan.writes().isEmpty()) {
			jedis.unwatch();
			return plan.outcomes();
		}
		List<Object> applied;
		try (Transaction transaction = jedis.multi()) {
			plan.writes().forEach((write) -> write.accept(transaction));
			applied = transaction.exec();
		}
		return (applied != null) ? plan.outcomes() : null;
	}

	/** The value of a string key; {@code null} when gone or of another type. */
	private static byte[] valueOrNull(Response<byte[]> reply) {
		if (reply == null) {
			return null;
		}
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

	private static long millis(List<String> time) {
		return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	/** Reads the watched keys at {@code indices} and decides. */
	private interface Judge<R> {

		Plan<R> judge(List<Integer> indices);

	}

	/** The outcome for each key judged, and the writes that make them so. */
	private record Plan<R>(List<R> outcomes, List<Consumer<Transaction>> writes) {
	}

}
