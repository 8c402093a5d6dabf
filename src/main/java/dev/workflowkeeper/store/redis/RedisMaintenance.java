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
import dev.workflowkeeper.store.StoreAccessException;

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
 * {@code WATCH} and {@code MULTI}/{@code EXEC} ({@link RedisWatchedWrites}; one server
 * only: a Cluster refuses a transaction over several slots). Without {@code PEXPIRETIME}
 * the TTL changes go as on Redis 6.2.
 * <p>
 * Thread-safe: each call borrows its own pooled connection.
 */
final class RedisMaintenance implements MaintainableStore {

	private static final byte[] TTL_SCRIPT = TtlScript.SOURCE.getBytes(StandardCharsets.UTF_8);

	private static final byte[] DELETE_SCRIPT = DeleteIfUnchangedScript.SOURCE.getBytes(StandardCharsets.UTF_8);

	private final RedisTopology topology;

	/** The seed node: the server, or the Cluster node the address names. */
	private final RedisNode node;

	private final String keyPrefix;

	private final int scanCount;

	private final int pipelineSize;

	private final int pipelinesInFlight;

	private static final byte[] TTL_SCRIPT_SHA = sha1Hex(TTL_SCRIPT);

	private static final byte[] DELETE_SCRIPT_SHA = sha1Hex(DELETE_SCRIPT);

	RedisMaintenance(RedisTopology topology, String keyPrefix, int scanCount, int pipelineSize, int pipelinesInFlight) {
		this.topology = topology;
		this.node = topology.seed();
		this.pipelinesInFlight = pipelinesInFlight;
		this.keyPrefix = keyPrefix;
		this.scanCount = scanCount;
		this.pipelineSize = pipelineSize;
	}

	/**
	 * One reader for a standalone server, named {@code name}; one per master of a
	 * Cluster, named {@code name.<slot ranges>}.
	 */
	@Override
	public List<ItemStreamReader<KeyInfo>> keyReaders(String name, KeyDetail detail) {
		return keyReaders(name, detail, KeySample.WHOLE);
	}

	/**
	 * {@inheritDoc} The scan ends after the page that takes the share of the hash table
	 * its cursor visited, or the keys read, to the sample's; a Cluster is read whole.
	 */
	@Override
	public List<ItemStreamReader<KeyInfo>> keyReaders(String name, KeyDetail detail, KeySample sample) {
		List<ItemStreamReader<KeyInfo>> readers = new ArrayList<>();
		for (RedisTopology.Shard shard : this.topology.shards()) {
			RedisKeyInfoItemReader reader = new RedisKeyInfoItemReader(RedisWorkflowStore.readerName(name, shard),
					shard.node(), this.keyPrefix, this.scanCount, this.pipelineSize, this.pipelinesInFlight, detail);
			RedisWorkflowStore.partition(reader, this.topology, shard);
			// the estimate takes the shares of one hash table: a Cluster's masters are
			// read whole, and its report is exact
			if (!sample.whole() && !this.topology.cluster()) {
				reader.sample(sample);
			}
			readers.add(reader);
		}
		return readers;
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
		return route(changes, TtlChange::key, (node, batch, asking) -> node.execute(batch.size(),
				(jedis) -> enforceBatch(node, jedis, batch, hasPexpireTime(node, jedis, batch.get(0).key()), asking)));
	}

	/**
	 * Whether the node runs {@code PEXPIRETIME} for the user: asked once, with a key of
	 * the first batch, as a refusal inside {@code MULTI} would abort the transaction
	 * without naming the command.
	 */
	private static boolean hasPexpireTime(RedisNode node, Jedis jedis, String key) {
		RedisCommands commands = node.commands();
		if (!node.hasPexpireTime()) {
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

	/**
	 * @param asking whether each command is to be preceded by {@code ASKING} (a key
	 * migrating to the node)
	 */
	private List<Object> enforceBatch(RedisNode node, Jedis jedis, List<TtlChange> batch, boolean expireOptions,
			boolean asking) {
		Object[] outcomes = new Object[batch.size()];
		List<Integer> scripted = new ArrayList<>();
		List<Integer> single = new ArrayList<>();
		for (int i = 0; i < batch.size(); i++) {
			TtlChange change = batch.get(i);
			// one bound only: PEXPIRE and PEXPIREAT cannot be combined in one command
			boolean plain = expireOptions && change.expectedValue() == null && change.fillsToMaximum()
					&& (change.maxTtl() == null || change.maxExpireAtMillis() == TtlChange.UNBOUNDED);
			// a Cluster refuses a transaction over several slots: each key goes alone,
			// through the script, which is exact on its own
			if (this.topology.cluster()) {
				scripted.add(i);
				continue;
			}
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
			List<Object> replies = runScript(node.commands(), jedis, TTL_SCRIPT, TTL_SCRIPT_SHA, changes,
					(change) -> ttlArgs(change, expireOptions), TtlChange::key, asking);
			List<TtlOutcome> watched = (replies != null) ? null : RedisWatchedWrites.enforceTtl(jedis, changes);
			for (int j = 0; j < scripted.size(); j++) {
				Object reply = (replies != null) ? replies.get(j) : watched.get(j);
				outcomes[scripted.get(j)] = (replies == null || reply instanceof Redirect) ? reply
						: scriptOutcome((Long) reply);
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
		return route(judged, KeyValue::key, (node, batch, asking) -> {
			int[] attempts = { 0 };
			return node.execute(batch.size(), (jedis) -> {
				boolean again = ++attempts[0] > 1;
				List<Object> sent = runScript(node.commands(), jedis, DELETE_SCRIPT, DELETE_SCRIPT_SHA, batch,
						(entry) -> List.of(entry.value()), KeyValue::key, asking);
				if (sent == null) {
					sent = RedisWatchedWrites.deleteIfUnchanged(jedis, batch);
				}
				return again ? countOwnDeletes(jedis, batch, sent) : sent;
			});
		}).stream().map((reply) -> Long.valueOf(1).equals(reply)).toList();
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
			if (!Long.valueOf(1).equals(counted.get(i)) && !(counted.get(i) instanceof Redirect)
					&& !exists.get(i).get()) {
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
		return route(keys, (key) -> key, (node, batch, asking) -> node.execute(batch.size(), (jedis) -> {
			List<Response<Boolean>> replies = new ArrayList<>(batch.size());
			try (Pipeline pipeline = jedis.pipelined()) {
				for (String key : batch) {
					if (asking) {
						pipeline.sendCommand(Protocol.Command.ASKING, new byte[0][]);
					}
					replies.add(pipeline.exists(key));
				}
				pipeline.sync();
			}
			List<Object> exist = new ArrayList<>(batch.size());
			for (Response<Boolean> reply : replies) {
				exist.add(Redirect.reply(reply));
			}
			return exist;
		})).stream().map(Boolean.class::cast).toList();
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
	 * check (see {@code TargetMemoryLimit#limit}). Of a Cluster: the memory, key and
	 * eviction figures summed over the masters ({@code maxmemory} only when each has one,
	 * else 0), the others the first master's, and {@code masters}: each master's own
	 * figures with its {@code address} and {@code slots}, and {@code topologyChanged}:
	 * whether the masters or their slots changed since the store was opened (a failover,
	 * a resharding during the run).
	 */
	@Override
	public Map<String, Object> serverInfo() {
		if (!this.topology.cluster()) {
			return serverInfo(this.node);
		}
		// a Cluster: the masters' figures summed, and each master's own under "masters",
		// so that a memory guard judges the headroom of each
		List<Map<String, Object>> masters = new ArrayList<>();
		for (RedisTopology.Shard shard : this.topology.shards()) {
			Map<String, Object> master = new LinkedHashMap<>();
			master.put("address", shard.node().address());
			master.put("slots", shard.name());
			master.putAll(serverInfo(shard.node()));
			masters.add(master);
		}
		Map<String, Object> result = new LinkedHashMap<>(masters.get(0));
		result.remove("address");
		result.remove("slots");
		for (String summed : List.of("usedMemory", "usedMemoryRss", "usedMemoryPeak", "expiredKeys", "evictedKeys",
				"dbKeys")) {
			result.put(summed, masters.stream().mapToLong((master) -> number(master.get(summed))).sum());
		}
		boolean everyMaxmemory = masters.stream().allMatch((master) -> number(master.get("maxmemory")) > 0);
		result.put("maxmemory",
				everyMaxmemory ? masters.stream().mapToLong((master) -> number(master.get("maxmemory"))).sum() : 0L);
		result.put("masters", masters);
		result.put("topologyChanged", this.topology.changedSinceConnect());
		return result;
	}

	private static long number(Object value) {
		return (value instanceof Number number) ? number.longValue() : 0;
	}

	private static Map<String, Object> serverInfo(RedisNode node) {
		RedisCommands commands = node.commands();
		return node.execute((jedis) -> {
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
	 * a node turned out not to run {@code MEMORY USAGE}.
	 */
	@Override
	public boolean memoryEstimated() {
		if (this.topology.cluster()) {
			return this.topology.shards()
				.stream()
				.anyMatch((shard) -> !shard.node().commands().has(RedisCommands.Command.MEMORY_USAGE));
		}
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
	 * scripts. A reply redirecting the key to another node of a Cluster is a
	 * {@link Redirect}.
	 */
	private static <T> List<Object> runScript(RedisCommands commands, Jedis jedis, byte[] source, byte[] sha,
			List<T> items, Function<T, List<byte[]>> args, Function<T, String> key, boolean asking) {
		if (!commands.has(RedisCommands.Command.EVAL)) {
			return null;
		}
		List<Object> results = new ArrayList<>(items.size());
		List<Integer> lost = new ArrayList<>();
		if (commands.has(RedisCommands.Command.EVALSHA)) {
			List<Response<Object>> replies = new ArrayList<>(items.size());
			send(jedis, items,
					(pipeline, item) -> pipeline.evalsha(sha, List.of(utf8(key.apply(item))), args.apply(item)),
					replies, asking);
			for (int i = 0; i < items.size(); i++) {
				try {
					results.add(Redirect.reply(replies.get(i)));
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
					retried, asking);
			for (int j = 0; j < lost.size(); j++) {
				try {
					results.set(lost.get(j), Redirect.reply(retried.get(j)));
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
			List<Response<Object>> replies, boolean asking) {
		try (Pipeline pipeline = jedis.pipelined()) {
			for (T item : items) {
				if (asking) {
					pipeline.sendCommand(Protocol.Command.ASKING, new byte[0][]);
				}
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

	/**
	 * Runs {@code batch} on {@code items} split by the master that owns each key, in
	 * batches of {@code pipelineSize} per node, and returns the replies in the order of
	 * {@code items} (a standalone server is one master). A key whose reply names another
	 * node ({@code MOVED}, {@code ASK}: a failover or a resharding) is sent again alone
	 * to that node, after the slot table is read again.
	 */
	@SuppressWarnings("unchecked")
	private <T, R> List<R> route(List<T> items, Function<T, String> key, NodeBatch<T> batch) {
		Object[] replies = new Object[items.size()];
		Map<RedisNode, List<Integer>> byNode = new LinkedHashMap<>();
		for (int i = 0; i < items.size(); i++) {
			byNode.computeIfAbsent(this.topology.writeOwner(utf8(key.apply(items.get(i)))), (node) -> new ArrayList<>())
				.add(i);
		}
		byNode.forEach((node, indexes) -> {
			int size = node.batch(this.pipelineSize);
			for (int from = 0; from < indexes.size(); from += size) {
				List<Integer> part = indexes.subList(from, Math.min(indexes.size(), from + size));
				List<Object> sent = batch.run(node, part.stream().map(items::get).toList(), false);
				for (int j = 0; j < part.size(); j++) {
					replies[part.get(j)] = sent.get(j);
				}
			}
		});
		for (int i = 0; i < replies.length; i++) {
			for (int attempt = 1; replies[i] instanceof Redirect redirect; attempt++) {
				if (attempt > Redirect.MAX_FOLLOWED) {
					throw new StoreAccessException("the Redis Cluster at " + this.node.address()
							+ " kept redirecting key " + key.apply(items.get(i))
							+ " (MOVED/ASK): run the job again once the cluster is stable");
				}
				if (!redirect.ask()) {
					this.topology.refresh();
				}
				replies[i] = batch.run(this.topology.node(redirect.target()), List.of(items.get(i)), redirect.ask())
					.get(0);
			}
		}
		return (List<R>) Arrays.asList(replies);
	}

	/** A batch of items on one node; one reply per item, a {@link Redirect} included. */
	@FunctionalInterface
	private interface NodeBatch<T> {

		List<Object> run(RedisNode node, List<T> batch, boolean asking);

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
