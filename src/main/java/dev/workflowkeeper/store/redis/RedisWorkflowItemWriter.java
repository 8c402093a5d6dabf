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

import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.SetParams;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.util.Assert;

/**
 * Writes workflow states to Redis — a standalone server, or each to the master of a
 * Cluster that owns its key (a redirected key is written again alone where the reply
 * names) — each with its absolute expiry ({@code PXAT}, Redis 6.2 and later), in
 * pipelines of {@code pipelineSize} entries:
 * <ul>
 * <li>{@link ConflictPolicy#SKIP}: {@code SET key value PXAT t NX}; an existing key is
 * kept.</li>
 * <li>{@link ConflictPolicy#OVERWRITE}: {@code SET key value PXAT t}.</li>
 * <li>{@link ConflictPolicy#NEWER}: the {@link NewerStateScript}, by {@code EVALSHA},
 * falling back to {@code EVAL} when the server has lost the script (a restart,
 * {@code SCRIPT FLUSH}, a failover: Redis 7 does not copy loaded scripts to replicas) or
 * does not run {@code EVALSHA} for the user; a node that does not run {@code EVAL} either
 * is refused in one line naming {@code EVAL} and the other policies.</li>
 * </ul>
 * Every entry must carry an expiry: the worker never writes a state without TTL. An entry
 * whose expiry has passed by the time of the write is not written and is counted as
 * expired. Writing a chunk twice leaves the same state; the counts of a chunk are added
 * only once its writes have all succeeded. A pipeline that meets a passing trouble is
 * written again whole (see {@link RedisRetry}); the retries of the node are kept as
 * {@code retries} in the ExecutionContext under the writer's name.
 * <p>
 * Not thread-safe: use it from one step thread.
 */
final class RedisWorkflowItemWriter extends WorkflowItemWriter {

	private final RedisTopology topology;

	private final String keyPrefix;

	private final ConflictPolicy policy;

	private final int pipelineSize;

	private static final byte[] NEWER_SCRIPT = NewerStateScript.SOURCE.getBytes(StandardCharsets.UTF_8);

	/**
	 * The SHA1 of the {@link NewerStateScript}, computed here: nothing is loaded up
	 * front, so the user needs no {@code SCRIPT LOAD}.
	 */
	private static final byte[] NEWER_SCRIPT_SHA = sha1Hex(NEWER_SCRIPT);

	/** Retries counted before this open, and the node's own count at open. */
	private long retriesBefore;

	private long retriesAtOpen;

	RedisWorkflowItemWriter(String name, RedisTopology topology, String keyPrefix, ConflictPolicy policy,
			int pipelineSize) {
		super(name);
		this.topology = topology;
		this.keyPrefix = keyPrefix;
		this.policy = policy;
		this.pipelineSize = pipelineSize;
	}

	@Override
	public void open(ExecutionContext context) {
		super.open(context);
		this.retriesBefore = context.getLong(getExecutionContextKey("retries"), 0);
		this.retriesAtOpen = this.topology.retries();
	}

	@Override
	public void update(ExecutionContext context) {
		super.update(context);
		context.putLong(getExecutionContextKey("retries"),
				this.retriesBefore + this.topology.retries() - this.retriesAtOpen);
	}

	@Override
	public void write(Chunk<? extends WorkflowEntry> chunk) {
		List<? extends WorkflowEntry> entries = chunk.getItems();
		for (WorkflowEntry entry : entries) {
			Assert.state(entry.hasExpiry(), () -> "state " + entry.threadId()
					+ " has no expiry: the worker never writes a state without TTL; give it one before writing");
		}
		Counts counts = new Counts();
		// a Cluster's masters each take the entries of their slots; a standalone server
		// takes them all
		Map<RedisNode, List<WorkflowEntry>> byNode = new LinkedHashMap<>();
		for (WorkflowEntry entry : entries) {
			byNode.computeIfAbsent(this.topology.writeOwner(key(entry)), (node) -> new ArrayList<>()).add(entry);
		}
		byNode.forEach((node, nodeEntries) -> {
			int size = node.batch(this.pipelineSize);
			for (int from = 0; from < nodeEntries.size(); from += size) {
				List<WorkflowEntry> batch = nodeEntries.subList(from, Math.min(nodeEntries.size(), from + size));
				counts.add(write(node, batch, false));
			}
		});
		for (int i = 0; i < counts.redirected.size(); i++) {
			WorkflowEntry entry = counts.redirected.get(i);
			Redirect redirect = counts.redirects.get(i);
			for (int attempt = 1;; attempt++) {
				if (attempt > Redirect.MAX_FOLLOWED) {
					throw new StoreAccessException("the Redis Cluster at " + this.topology.seed().address()
							+ " kept redirecting key " + this.keyPrefix + entry.threadId()
							+ " (MOVED/ASK): run the job again once the cluster is stable");
				}
				if (!redirect.ask()) {
					this.topology.refresh();
				}
				Counts single = write(this.topology.node(redirect.target()), List.of(entry), redirect.ask());
				if (single.redirected.isEmpty()) {
					counts.add(single);
					break;
				}
				redirect = single.redirects.get(0);
			}
		}
		this.written.addAndGet(counts.written);
		this.keptExisting.addAndGet(counts.kept);
		this.expired.addAndGet(counts.expired);
	}

	/**
	 * Writes one batch on {@code node}; the entries whose reply named another node are
	 * left in {@link Counts#redirected}, not counted.
	 */
	private Counts write(RedisNode node, List<WorkflowEntry> batch, boolean asking) {
		if (this.policy == ConflictPolicy.NEWER && !node.commands().has(RedisCommands.Command.EVAL)) {
			throw scriptsRefused(node);
		}
		// counted apart: a pipeline the node runs again must not count twice
		int[] attempts = { 0 };
		return node.execute(batch.size(), (jedis) -> writeBatch(node, jedis, batch, ++attempts[0] > 1, asking));
	}

	private byte[] key(WorkflowEntry entry) {
		return (this.keyPrefix + entry.threadId()).getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * @param again whether an earlier attempt of this batch failed part way: it may have
	 * written states that this one then finds in place
	 * @param asking whether each command is preceded by {@code ASKING} (a key migrating
	 * to the node)
	 */
	private Counts writeBatch(RedisNode node, Jedis jedis, List<? extends WorkflowEntry> batch, boolean again,
			boolean asking) {
		Counts counts = new Counts();
		List<WorkflowEntry> kept = new ArrayList<>();
		long now = System.currentTimeMillis();
		List<WorkflowEntry> sent = new ArrayList<>(batch.size());
		List<Response<?>> replies = new ArrayList<>(batch.size());
		try (Pipeline pipeline = jedis.pipelined()) {
			for (WorkflowEntry entry : batch) {
				if (entry.expireAtMillis() <= now) {
					counts.expired++;
					continue;
				}
				sent.add(entry);
				if (asking) {
					pipeline.sendCommand(Protocol.Command.ASKING, new byte[0][]);
				}
				replies.add(send(node, pipeline, entry, false));
			}
			pipeline.sync();
		}
		List<WorkflowEntry> lostScript = new ArrayList<>();
		RedisCommands commands = node.commands();
		for (int i = 0; i < sent.size(); i++) {
			try {
				tally(counts, sent.get(i), replies.get(i), kept);
			}
			catch (JedisNoScriptException ex) {
				lostScript.add(sent.get(i));
			}
			catch (JedisDataException ex) {
				if (!commands.missing(RedisCommands.Command.EVALSHA, ex)
						&& !commands.missing(RedisCommands.Command.EVAL, ex)) {
					throw ex;
				}
				// refused without running: sent again by EVAL, or refused below
				lostScript.add(sent.get(i));
			}
		}
		if (!lostScript.isEmpty()) {
			// EVAL also caches the script again on the server; writes are idempotent, so
			// a retry is safe
			List<Response<?>> retried = new ArrayList<>(lostScript.size());
			try (Pipeline pipeline = jedis.pipelined()) {
				for (WorkflowEntry entry : lostScript) {
					if (asking) {
						pipeline.sendCommand(Protocol.Command.ASKING, new byte[0][]);
					}
					retried.add(send(node, pipeline, entry, true));
				}
				pipeline.sync();
			}
			for (int i = 0; i < lostScript.size(); i++) {
				try {
					tally(counts, lostScript.get(i), retried.get(i), kept);
				}
				catch (JedisDataException ex) {
					if (commands.missing(RedisCommands.Command.EVAL, ex)) {
						throw scriptsRefused(node);
					}
					throw ex;
				}
			}
		}
		if (again && !kept.isEmpty()) {
			countOwnWrites(jedis, kept, counts);
		}
		return counts;
	}

	private static void tally(Counts counts, WorkflowEntry entry, Response<?> response, List<WorkflowEntry> kept) {
		Object reply = Redirect.reply(response);
		if (reply instanceof Redirect redirect) {
			counts.redirected.add(entry);
			counts.redirects.add(redirect);
			return;
		}
		boolean written = isWritten(reply);
		counts.add(written);
		if (!written) {
			kept.add(entry);
		}
	}

	/**
	 * Counts as written the states a failed earlier attempt of the batch wrote: those the
	 * target holds exactly as this batch would write them.
	 */
	private void countOwnWrites(Jedis jedis, List<WorkflowEntry> kept, Counts counts) {
		List<Response<byte[]>> values = new ArrayList<>(kept.size());
		try (Pipeline pipeline = jedis.pipelined()) {
			for (WorkflowEntry entry : kept) {
				values.add(pipeline.get((this.keyPrefix + entry.threadId()).getBytes(StandardCharsets.UTF_8)));
			}
			pipeline.sync();
		}
		for (int i = 0; i < kept.size(); i++) {
			if (Arrays.equals(values.get(i).get(), kept.get(i).value())) {
				counts.kept--;
				counts.written++;
			}
		}
	}

	/**
	 * {@code --on-conflict newer} without scripts: refused in one line, naming the
	 * command and the other policies.
	 */
	private static StoreAccessException scriptsRefused(RedisNode node) {
		return new StoreAccessException("Redis at " + node.address()
				+ " does not run EVAL for this user (renamed away or refused by its ACL), and --on-conflict newer"
				+ " needs it to compare updated_at atomically: grant +eval +evalsha, or use --on-conflict skip or overwrite");
	}

	private Response<?> send(RedisNode node, Pipeline pipeline, WorkflowEntry entry, boolean evalSource) {
		byte[] key = (this.keyPrefix + entry.threadId()).getBytes(StandardCharsets.UTF_8);
		SetParams expiry = SetParams.setParams().pxAt(entry.expireAtMillis());
		return switch (this.policy) {
			case SKIP -> pipeline.set(key, entry.value(), expiry.nx());
			case OVERWRITE -> pipeline.set(key, entry.value(), expiry);
			case NEWER -> {
				List<byte[]> args = List.of(entry.value(), ascii(Long.toString(entry.expireAtMillis())),
						ascii(incomingUpdatedAt(entry.value())));
				yield (evalSource || !node.commands().has(RedisCommands.Command.EVALSHA))
						? pipeline.eval(NEWER_SCRIPT, List.of(key), args)
						: pipeline.evalsha(NEWER_SCRIPT_SHA, List.of(key), args);
			}
		};
	}

	/**
	 * The incoming state's {@code updated_at} in epoch millis, or empty when it has none.
	 */
	private static String incomingUpdatedAt(byte[] value) {
		StateFields fields = StateFields.read(value);
		return (fields != null && fields.hasUpdatedAt()) ? Long.toString(fields.updatedAtMillis()) : "";
	}

	/**
	 * {@code OK} or 1 when written; {@code null} (a failed NX) or 0 when the target was
	 * kept.
	 */
	private static boolean isWritten(Object reply) {
		return reply != null && !Long.valueOf(0).equals(reply);
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

	/**
	 * What one chunk did, added to the writer's counts once the whole chunk has been
	 * written.
	 */
	private static final class Counts {

		long written;

		long kept;

		long expired;

		/** Entries whose reply named another node, and where. */
		final List<WorkflowEntry> redirected = new ArrayList<>();

		final List<Redirect> redirects = new ArrayList<>();

		void add(Counts batch) {
			this.written += batch.written;
			this.kept += batch.kept;
			this.expired += batch.expired;
			this.redirected.addAll(batch.redirected);
			this.redirects.addAll(batch.redirects);
		}

		void add(boolean written) {
			if (written) {
				this.written++;
			}
			else {
				this.kept++;
			}
		}

	}

}
