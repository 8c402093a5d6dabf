package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

import dev.workflowkeeper.store.MaintainableStore;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.Transaction;
import redis.clients.jedis.args.ExpiryOption;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.util.Assert;

/**
 * The maintenance operations on one Redis node, under the store's key prefix. Per-key
 * work goes in batches of {@code pipelineSize} keys, one round trip each:
 * <ul>
 * <li>{@link #enforceTtl}: on Redis 7, a change whose fill expiry is its maximum and that
 * expects no value is {@code PEXPIRETIME} and {@code PEXPIRE key maxTtl LT} (or
 * {@code PEXPIREAT key max LT} for an absolute maximum) inside one
 * {@code MULTI}/{@code EXEC} for the batch, so that the outcome is exact; every other
 * change (a fill before the maximum, an expected value, an expiry set below the maximum:
 * {@code LT} would lower a TTL between that and the maximum too), and every change on
 * Redis 6.2, is the {@link TtlScript} — but for a fill to a place below a maximum TTL on
 * Redis 7, which is {@code PEXPIRE key (maxTtl - below) NX} in that transaction, the
 * script following only for the keys that turn out to have a TTL. A maximum TTL is
 * counted on the server's clock either way, never the worker's.</li>
 * <li>{@link #deleteIfUnchanged}: the {@link DeleteIfUnchangedScript} per key.</li>
 * </ul>
 * Scripts go by {@code EVALSHA} of their SHA1, computed here, falling back to
 * {@code EVAL} when the server does not have them (first use, a restart,
 * {@code SCRIPT FLUSH}, a failover: Redis 7 does not copy loaded scripts to replicas),
 * which caches them again; a {@code NOSCRIPT} reply means the script did not run, so
 * sending it again is safe. Nothing is loaded up front: a job that only reads needs no
 * scripting rights. A node that does not run {@code EVALSHA} for the user gets every
 * script by {@code EVAL}; one that runs neither gets the same judgements through
 * {@code WATCH} and {@code MULTI}/{@code EXEC} ({@link RedisWatchedWrites}). Without
 * {@code PEXPIRETIME} the TTL changes go as on Redis 6.2.
 * <p>
 * Thread-safe: each call borrows its own pooled connection.
 */
final class RedisMaintenance implements MaintainableStore {

	private static final byte[] TTL_SCRIPT = TtlScript.SOURCE.getBytes(StandardCharsets.UTF_8);

	private static final byte[] DELETE_SCRIPT = DeleteIfUnchangedScript.SOURCE.getBytes(StandardCharsets.UTF_8);

	private final RedisNode node;

	private final String keyPrefix;

	private final int scanCount;

	private final int pipelineSize;

	private final int pipelinesInFlight;

	private static final byte[] TTL_SCRIPT_SHA = sha1Hex(TTL_SCRIPT);

	private static final byte[] DELETE_SCRIPT_SHA = sha1Hex(DELETE_SCRIPT);

	RedisMaintenance(RedisNode node, String keyPrefix, int scanCount, int pipelineSize, int pipelinesInFlight) {
		this.node = node;
		this.pipelinesInFlight = pipelinesInFlight;
		this.keyPrefix = keyPrefix;
		this.scanCount = scanCount;
		this.pipelineSize = pipelineSize;
	}

	/** One reader for the standalone server, named {@code name}. */
	@Override
	public List<ItemStreamReader<KeyInfo>> keyReaders(String name, KeyDetail detail) {
		return List.of(new RedisKeyInfoItemReader(name, this.node, this.keyPrefix, this.scanCount, this.pipelineSize,
				this.pipelinesInFlight, detail));
	}

	/**
	 * {@inheritDoc} The scan ends after the page that takes the share of the hash table
	 * its cursor visited, or the keys read, to the sample's.
	 */
	@Override
	public List<ItemStreamReader<KeyInfo>> keyReaders(String name, KeyDetail detail, KeySample sample) {
		RedisKeyInfoItemReader reader = new RedisKeyInfoItemReader(name, this.node, this.keyPrefix, this.scanCount,
				this.pipelineSize, this.pipelinesInFlight, detail);
		if (!sample.whole()) {
			reader.sample(sample);
		}
		return List.of(reader);
	}

	/**
	 * {@inheritDoc}
	 * @throws IllegalArgumentException when a change's key is outside the store's prefix
	 */
	@Override
	public List<TtlOutcome> enforceTtl(List<TtlChange> changes) {
		for (TtlChange change : changes) {
			checkKey(change.key());
		}
		List<TtlOutcome> outcomes = new ArrayList<>(changes.size());
		for (List<TtlChange> batch : batches(changes)) {
			outcomes.addAll(this.node.execute(batch.size(),
					(jedis) -> enforceBatch(jedis, batch, hasPexpireTime(jedis, batch.get(0).key()))));
		}
		return outcomes;
	}

	/**
	 * Whether the node runs {@code PEXPIRETIME} for the user: asked once, with a key of
	 * the first batch, as a refusal inside {@code MULTI} would abort the transaction
	 * without naming the command.
	 */
	private boolean hasPexpireTime(Jedis jedis, String key) {
		RedisCommands commands = this.node.commands();
		if (!this.node.hasPexpireTime()) {
			return false;
		}
		if (!commands.confirmed(RedisCommands.Command.PEXPIRETIME)) {
			try {
				jedis.pexpireTime(utf8(key));
				commands.confirm(RedisCommands.Command.PEXPIRETIME);
			}
			catch (JedisDataException ex) {
				if (commands.missing(RedisCommands.Command.PEXPIRETIME, ex)) {
					return false;
				}
				throw ex;
			}
		}
		return true;
	}

	private List<TtlOutcome> enforceBatch(Jedis jedis, List<TtlChange> batch, boolean expireOptions) {
		TtlOutcome[] outcomes = new TtlOutcome[batch.size()];
		List<Integer> scripted = new ArrayList<>();
		List<Integer> single = new ArrayList<>();
		for (int i = 0; i < batch.size(); i++) {
			TtlChange change = batch.get(i);
			// one bound only: PEXPIRE and PEXPIREAT cannot be combined in one command
			boolean plain = expireOptions && change.expectedValue() == null && change.fillsToMaximum()
					&& (change.maxTtl() == null || change.maxExpireAtMillis() == TtlChange.UNBOUNDED);
			(plain || spreadFill(change, expireOptions) ? single : scripted).add(i);
		}
		if (!single.isEmpty()) {
			// LT treats a missing TTL as infinite: one command fills and caps; the expiry
			// read before it, in the same transaction, tells which it did. Below the
			// maximum, NX fills a missing TTL only: a key that has one goes to the script
			List<Response<Long>> before = new ArrayList<>(single.size());
			List<Response<Long>> set = new ArrayList<>(single.size());
			try (Transaction transaction = jedis.multi()) {
				for (int i : single) {
					TtlChange change = batch.get(i);
					byte[] key = utf8(change.key());
					before.add(transaction.pexpireTime(key));
					// a relative expiry counts from the server's own clock, so the TTL
					// left is never above the maximum
					if (change.belowMaxMillis() > 0) {
						set.add(transaction.pexpire(key, change.maxTtl().toMillis() - change.belowMaxMillis(),
								ExpiryOption.NX));
					}
					else {
						set.add((change.maxTtl() != null)
								? transaction.pexpire(key, change.maxTtl().toMillis(), ExpiryOption.LT)
								: transaction.pexpireAt(key, change.maxExpireAtMillis(), ExpiryOption.LT));
					}
				}
				transaction.exec();
			}
			for (int j = 0; j < single.size(); j++) {
				int i = single.get(j);
				long expireAtBefore = before.get(j).get();
				if (batch.get(i).belowMaxMillis() > 0 && expireAtBefore >= 0) {
					scripted.add(i);
				}
				else {
					outcomes[i] = singleOutcome(expireAtBefore, set.get(j).get());
				}
			}
		}
		if (!scripted.isEmpty()) {
			List<TtlChange> changes = scripted.stream().map(batch::get).toList();
			List<Object> replies = runScript(jedis, TTL_SCRIPT, TTL_SCRIPT_SHA, changes,
					(change) -> ttlArgs(change, expireOptions), TtlChange::key);
			List<TtlOutcome> watched = (replies != null) ? null : RedisWatchedWrites.enforceTtl(jedis, changes);
			for (int j = 0; j < scripted.size(); j++) {
				outcomes[scripted.get(j)] = (replies != null) ? scriptOutcome((Long) replies.get(j)) : watched.get(j);
			}
		}
		return Arrays.asList(outcomes);
	}

	/**
	 * Whether a change is a fill to its place below a maximum TTL that Redis 7 makes with
	 * {@code PEXPIRE … NX} when the key has no TTL (most keys such a run changes); a key
	 * that has one is then judged by the script.
	 */
	private static boolean spreadFill(TtlChange change, boolean expireOptions) {
		return expireOptions && change.expectedValue() == null && change.belowMaxMillis() > 0
				&& change.fillExpireAtMillis() == TtlChange.UNBOUNDED
				&& change.maxExpireAtMillis() == TtlChange.UNBOUNDED && change.maxTtl() != null;
	}

	private static TtlOutcome singleOutcome(long expireAtBefore, long set) {
		if (expireAtBefore == -2) {
			return TtlOutcome.CHANGED_OR_GONE;
		}
		if (set == 0) {
			return TtlOutcome.UNTOUCHED;
		}
		return (expireAtBefore == -1) ? TtlOutcome.FIXED_MISSING : TtlOutcome.CAPPED;
	}

	private static TtlOutcome scriptOutcome(long reply) {
		if (reply == TtlScript.FIXED_MISSING) {
			return TtlOutcome.FIXED_MISSING;
		}
		if (reply == TtlScript.CAPPED) {
			return TtlOutcome.CAPPED;
		}
		if (reply == TtlScript.UNTOUCHED) {
			return TtlOutcome.UNTOUCHED;
		}
		return TtlOutcome.CHANGED_OR_GONE;
	}

	private static List<byte[]> ttlArgs(TtlChange change, boolean exact) {
		List<byte[]> args = new ArrayList<>(6);
		args.add(bound(change.fillExpireAtMillis()));
		args.add(bound(change.maxExpireAtMillis()));
		args.add(ascii(exact ? "1" : "0"));
		args.add(ascii((change.maxTtl() != null) ? Long.toString(change.maxTtl().toMillis()) : ""));
		args.add(ascii(Long.toString(change.belowMaxMillis())));
		if (change.expectedValue() != null) {
			args.add(change.expectedValue());
		}
		return args;
	}

	/**
	 * An absolute expiry as the script takes it: empty for {@link TtlChange#UNBOUNDED}.
	 */
	private static byte[] bound(long expireAtMillis) {
		return ascii((expireAtMillis != TtlChange.UNBOUNDED) ? Long.toString(expireAtMillis) : "");
	}

	/**
	 * {@inheritDoc}
	 * @throws IllegalArgumentException when a key is outside the store's prefix
	 */
	@Override
	public List<Boolean> deleteIfUnchanged(List<KeyValue> judged) {
		for (KeyValue entry : judged) {
			checkKey(entry.key());
			Assert.notNull(entry.value(),
					() -> "no judged value for " + entry.key() + ": nothing to compare before deleting");
		}
		List<Boolean> deleted = new ArrayList<>(judged.size());
		for (List<KeyValue> batch : batches(judged)) {
			int[] attempts = { 0 };
			List<Object> replies = this.node.execute(batch.size(), (jedis) -> {
				boolean again = ++attempts[0] > 1;
				List<Object> sent = runScript(jedis, DELETE_SCRIPT, DELETE_SCRIPT_SHA, batch,
						(entry) -> List.of(entry.value()), KeyValue::key);
				if (sent == null) {
					sent = RedisWatchedWrites.deleteIfUnchanged(jedis, batch);
				}
				return again ? countOwnDeletes(jedis, batch, sent) : sent;
			});
			for (Object reply : replies) {
				deleted.add(Long.valueOf(1).equals(reply));
			}
		}
		return deleted;
	}

	/**
	 * The replies of a delete batch run again after a failed attempt, with a key that is
	 * gone counted as deleted: the failed attempt most likely deleted it, and either way
	 * it is gone as judged.
	 */
	private static List<Object> countOwnDeletes(Jedis jedis, List<KeyValue> batch, List<Object> replies) {
		List<Response<Boolean>> exists = new ArrayList<>(batch.size());
		try (Pipeline pipeline = jedis.pipelined()) {
			for (KeyValue entry : batch) {
				exists.add(pipeline.exists(utf8(entry.key())));
			}
			pipeline.sync();
		}
		List<Object> counted = new ArrayList<>(replies);
		for (int i = 0; i < counted.size(); i++) {
			if (!Long.valueOf(1).equals(counted.get(i)) && !exists.get(i).get()) {
				counted.set(i, 1L);
			}
		}
		return counted;
	}

	/**
	 * {@inheritDoc} One pipeline of {@code EXISTS} per batch.
	 * @throws IllegalArgumentException when a key is outside the store's prefix
	 */
	@Override
	public List<Boolean> exist(List<String> keys) {
		keys.forEach(this::checkKey);
		List<Boolean> exist = new ArrayList<>(keys.size());
		for (List<String> batch : batches(keys)) {
			exist.addAll(this.node.execute(batch.size(), (jedis) -> {
				List<Response<Boolean>> replies = new ArrayList<>(batch.size());
				try (Pipeline pipeline = jedis.pipelined()) {
					for (String key : batch) {
						replies.add(pipeline.exists(key));
					}
					pipeline.sync();
				}
				return replies.stream().map(Response::get).toList();
			}));
		}
		return exist;
	}

	/**
	 * {@code INFO} (its default sections: server, memory, stats, replication, …) and
	 * {@code DBSIZE}: {@code redisVersion}, {@code role}, {@code maxmemoryPolicy} as
	 * strings; {@code usedMemory}, {@code usedMemoryRss}, {@code usedMemoryPeak},
	 * {@code maxmemory}, {@code totalSystemMemory}, {@code expiredKeys},
	 * {@code evictedKeys}, {@code dbKeys} (every key of the database) as {@link Long};
	 * {@code fragmentationRatio} as {@link Double}. A field the server does not report is
	 * left out; without the memory section {@code memory} is {@code unavailable}, and
	 * without {@code INFO} at all (refused, renamed away) the view is {@code info}
	 * {@code unavailable} and {@code dbKeys}: the eviction guard then has no figures to
	 * check (see {@code TargetMemoryLimit#limit}).
	 */
	@Override
	public Map<String, Object> serverInfo() {
		RedisCommands commands = this.node.commands();
		return this.node.execute((jedis) -> {
			Response<Object> reply = null;
			Response<Long> dbKeys;
			try (Pipeline pipeline = jedis.pipelined()) {
				if (commands.has(RedisCommands.Command.INFO)) {
					reply = pipeline.sendCommand(Protocol.Command.INFO, new String[0]);
				}
				dbKeys = pipeline.dbSize();
				pipeline.sync();
			}
			long dbSize = dbKeys.get();
			String info = null;
			try {
				info = (reply != null) ? new String((byte[]) reply.get(), StandardCharsets.UTF_8) : null;
			}
			catch (JedisDataException ex) {
				if (!commands.missing(RedisCommands.Command.INFO, ex)) {
					throw ex;
				}
			}
			if (info == null) {
				Map<String, Object> unavailable = new LinkedHashMap<>();
				unavailable.put("info", UNAVAILABLE);
				unavailable.put("dbKeys", dbSize);
				return unavailable;
			}
			return serverInfo(parseInfo(info), dbSize);
		});
	}

	/**
	 * {@inheritDoc} Estimated from each value's length ({@link RedisMemoryEstimate}) once
	 * the node turned out not to run {@code MEMORY USAGE}.
	 */
	@Override
	public boolean memoryEstimated() {
		return !this.node.commands().has(RedisCommands.Command.MEMORY_USAGE);
	}

	/** What the server's view gives for what it cannot tell: INFO or its sections. */
	static final String UNAVAILABLE = "unavailable";

	static Map<String, Object> serverInfo(Map<String, String> fields, long dbKeys) {
		Map<String, Object> result = new LinkedHashMap<>();
		putText(result, "redisVersion", fields.get("redis_version"));
		putText(result, "role", fields.get("role"));
		putLong(result, "usedMemory", fields.get("used_memory"));
		putLong(result, "usedMemoryRss", fields.get("used_memory_rss"));
		putLong(result, "usedMemoryPeak", fields.get("used_memory_peak"));
		putLong(result, "maxmemory", fields.get("maxmemory"));
		putLong(result, "totalSystemMemory", fields.get("total_system_memory"));
		putText(result, "maxmemoryPolicy", fields.get("maxmemory_policy"));
		putDouble(result, "fragmentationRatio", fields.get("mem_fragmentation_ratio"));
		putLong(result, "expiredKeys", fields.get("expired_keys"));
		putLong(result, "evictedKeys", fields.get("evicted_keys"));
		if (!result.containsKey("usedMemory")) {
			// a service that leaves INFO's memory section out
			result.put("memory", UNAVAILABLE);
		}
		result.put("dbKeys", dbKeys);
		return result;
	}

	/**
	 * The {@code field:value} lines of an {@code INFO} reply; section headers and blank
	 * lines are skipped.
	 */
	static Map<String, String> parseInfo(String info) {
		Map<String, String> fields = new LinkedHashMap<>();
		for (String line : info.split("\r?\n")) {
			int colon = line.indexOf(':');
			if (!line.startsWith("#") && colon > 0) {
				fields.put(line.substring(0, colon), line.substring(colon + 1).trim());
			}
		}
		return fields;
	}

	private static void putText(Map<String, Object> result, String name, String value) {
		if (value != null) {
			result.put(name, value);
		}
	}

	private static void putLong(Map<String, Object> result, String name, String value) {
		if (value != null) {
			try {
				result.put(name, Long.parseLong(value));
			}
			catch (NumberFormatException ex) {
				// a field of another form than documented is left out, as one the server
				// does not report
			}
		}
	}

	private static void putDouble(Map<String, Object> result, String name, String value) {
		if (value != null) {
			try {
				result.put(name, Double.parseDouble(value));
			}
			catch (NumberFormatException ex) {
				// as above
			}
		}
	}

	/**
	 * Runs a script once per item in one pipeline, by {@code EVALSHA}; the items whose
	 * reply is {@code NOSCRIPT} (first use, a restart, {@code SCRIPT FLUSH}, a failover
	 * to a replica that never had it) are sent again by {@code EVAL} in a second
	 * pipeline, which caches the script again. A node that does not run {@code EVALSHA}
	 * for the user gets every script by {@code EVAL}; one that does not run {@code EVAL}
	 * either gets none: then this returns {@code null} and the caller goes without
	 * scripts.
	 */
	private <T> List<Object> runScript(Jedis jedis, byte[] source, byte[] sha, List<T> items,
			Function<T, List<byte[]>> args, Function<T, String> key) {
		RedisCommands commands = this.node.commands();
		if (!commands.has(RedisCommands.Command.EVAL)) {
			return null;
		}
		List<Object> results = new ArrayList<>(items.size());
		List<Integer> lost = new ArrayList<>();
		if (commands.has(RedisCommands.Command.EVALSHA)) {
			List<Response<Object>> replies = new ArrayList<>(items.size());
			send(jedis, items,
					(pipeline, item) -> pipeline.evalsha(sha, List.of(utf8(key.apply(item))), args.apply(item)),
					replies);
			for (int i = 0; i < items.size(); i++) {
				try {
					results.add(replies.get(i).get());
				}
				catch (JedisNoScriptException ex) {
					results.add(null);
					lost.add(i);
				}
				catch (JedisDataException ex) {
					if (!commands.missing(RedisCommands.Command.EVALSHA, ex)) {
						throw ex;
					}
					// refused without running: every item goes by EVAL
					results.add(null);
					lost.add(i);
				}
			}
		}
		else {
			for (int i = 0; i < items.size(); i++) {
				results.add(null);
				lost.add(i);
			}
		}
		if (!lost.isEmpty()) {
			List<T> again = lost.stream().map(items::get).toList();
			List<Response<Object>> retried = new ArrayList<>(again.size());
			send(jedis, again,
					(pipeline, item) -> pipeline.eval(source, List.of(utf8(key.apply(item))), args.apply(item)),
					retried);
			for (int j = 0; j < lost.size(); j++) {
				try {
					results.set(lost.get(j), retried.get(j).get());
				}
				catch (JedisDataException ex) {
					if (commands.missing(RedisCommands.Command.EVAL, ex)) {
						// refused without running: none of them ran
						return null;
					}
					throw ex;
				}
			}
		}
		return results;
	}

	private static <T> void send(Jedis jedis, List<T> items, BiFunction<Pipeline, T, Response<Object>> command,
			List<Response<Object>> replies) {
		try (Pipeline pipeline = jedis.pipelined()) {
			for (T item : items) {
				replies.add(command.apply(pipeline, item));
			}
			pipeline.sync();
		}
	}

	private void checkKey(String key) {
		Assert.isTrue(key != null && key.startsWith(this.keyPrefix) && key.length() > this.keyPrefix.length(),
				() -> "key " + key + " is not a state under the prefix " + this.keyPrefix
						+ ": maintenance leaves it alone");
	}

	private <T> List<List<T>> batches(List<T> items) {
		List<List<T>> batches = new ArrayList<>();
		int size = this.node.batch(this.pipelineSize);
		for (int from = 0; from < items.size(); from += size) {
			batches.add(items.subList(from, Math.min(items.size(), from + size)));
		}
		return batches;
	}

	private static byte[] utf8(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] sha1Hex(byte[] source) {
		try {
			return ascii(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("this JVM has no SHA-1, which every Java platform must provide", ex);
		}
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
