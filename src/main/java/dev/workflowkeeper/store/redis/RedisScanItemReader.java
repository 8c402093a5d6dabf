package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.workflowkeeper.store.MaintainableStore.KeySample;
import dev.workflowkeeper.store.MaintainableStore.ScanPage;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;

/**
 * What the Redis readers share: {@link RedisKeyPages} under the key prefix, its position
 * — the {@code cursor} of the page in progress, the {@code lastKey} passed in it and the
 * cursor that followed that page when first scanned ({@code pageEnd}) — and the reader's
 * counts, all kept in the ExecutionContext under the reader's name, with {@code retries}:
 * how many times a Redis command of the node was run again after a passing trouble, and
 * the server's {@code run_id}: a position saved before a restart of the server no longer
 * holds, so the scan then starts over, its counts with it. A subclass inspects a batch of
 * keys and turns each inspected key into an item, or passes it over.
 * <p>
 * The context also holds the share of the keyspace {@code visited} (see
 * {@link RedisKeyPages#share}), which comes back with the position. A {@link #sample}
 * ends the scan after the page that takes it to the sample's share or its keys (all the
 * counts together), as a restart does too.
 * <p>
 * Not thread-safe: use it from one step thread.
 *
 * @param <T> what inspecting one key gives
 * @param <R> the item read
 */
abstract class RedisScanItemReader<T, R> extends ItemStreamSupport implements ItemStreamReader<R> {

	private static final Log logger = LogFactory.getLog(RedisScanItemReader.class);

	private final String keyPrefix;

	private final RedisKeyPages<T> pages;

	private final String[] countNames;

	private final long[] counts;

	private final RedisNode node;

	/** The slots of the node read, when it is a Cluster master. */
	private Supplier<String> slots = () -> null;

	/** The sample the scan ends at; {@code null} for the whole keyspace. */
	private KeySample sample;

	/** Retries counted before this open, and the node's own count at open. */
	private long retriesBefore;

	private long retriesAtOpen;

	/**
	 * @param inspection inspects a batch of keys on one connection: one item per key, in
	 * order
	 * @param countNames the names of the counts kept, indexed as {@link #count} takes
	 * them
	 */
	RedisScanItemReader(String name, RedisNode node, String keyPrefix, int scanCount, int pipelineSize,
			int pipelinesInFlight, BiFunction<Jedis, List<byte[]>, List<T>> inspection, String... countNames) {
		setName(name);
		this.keyPrefix = keyPrefix;
		this.pages = new RedisKeyPages<>(name, node, keyPrefix.getBytes(StandardCharsets.UTF_8), scanCount,
				pipelineSize, pipelinesInFlight, inspection);
		this.countNames = countNames;
		this.counts = new long[countNames.length];
		this.node = node;
	}

	/**
	 * Reads one master of a Cluster: keys of slots the node does not own are passed over,
	 * and a position saved while the node owned other {@code slots} (a failover, a
	 * resharding) is not resumed: the scan starts over.
	 */
	void owned(Predicate<byte[]> owned, Supplier<String> slots) {
		this.slots = slots;
		this.pages.owned(owned, slots);
	}

	/** Ends the scan early, after the page that takes it to {@code sample}. */
	void sample(KeySample sample) {
		this.sample = sample;
		this.pages.stopBefore((next) -> RedisKeyPages.share(next) >= sample.share()
				|| Arrays.stream(this.counts).sum() >= sample.keys());
	}

	/** The page of the key being passed, when the scan is a sample; else {@code null}. */
	ScanPage page() {
		return (this.sample != null) ? new ScanPage(RedisKeyPages.share(this.pages.cursor()), this.pages.visited())
				: null;
	}

	@Override
	public void open(ExecutionContext context) {
		for (int i = 0; i < this.countNames.length; i++) {
			this.counts[i] = context.getLong(getExecutionContextKey(this.countNames[i]), 0);
		}
		this.retriesBefore = context.getLong(getExecutionContextKey("retries"), 0);
		this.retriesAtOpen = this.node.retries();
		String savedRunId = optional(context, "runId");
		String savedSlots = optional(context, "slots");
		if (savedSlots != null && !savedSlots.equals(this.slots.get())) {
			logger.warn("the slots of Redis at " + this.node.address()
					+ " changed since the last checkpoint: the scan of this master starts over from the beginning");
			Arrays.fill(this.counts, 0);
			this.pages.start(ScanParams.SCAN_POINTER_START, null, null);
			return;
		}
		if (savedRunId != null && !savedRunId.equals(this.node.runId())) {
			// SCAN cursors are positions in one server process's hash table: after a
			// restart the saved one means nothing, and resuming at it would miss keys
			logger.warn("Redis at " + this.node.address()
					+ " restarted since the last checkpoint: the scan starts over from the beginning");
			Arrays.fill(this.counts, 0);
			this.pages.start(ScanParams.SCAN_POINTER_START, null, null);
			return;
		}
		this.pages.start(context.getString(getExecutionContextKey("cursor"), ScanParams.SCAN_POINTER_START),
				optional(context, "lastKey"), optional(context, "pageEnd"));
	}

	@Override
	public void update(ExecutionContext context) {
		context.putString(getExecutionContextKey("cursor"), this.pages.cursor());
		putOptional(context, "runId", this.node.runId());
		putOptional(context, "slots", this.slots.get());
		putOptional(context, "lastKey", this.pages.lastKey());
		putOptional(context, "pageEnd", this.pages.pageEnd());
		for (int i = 0; i < this.countNames.length; i++) {
			context.putLong(getExecutionContextKey(this.countNames[i]), this.counts[i]);
		}
		context.putDouble(getExecutionContextKey("visited"), this.pages.visited());
		context.putLong(getExecutionContextKey("retries"),
				this.retriesBefore + this.node.retries() - this.retriesAtOpen);
	}

	@Override
	public void close() {
		this.pages.close();
	}

	private String optional(ExecutionContext context, String name) {
		String key = getExecutionContextKey(name);
		return context.containsKey(key) ? context.getString(key) : null;
	}

	private void putOptional(ExecutionContext context, String name, String value) {
		if (value != null) {
			context.putString(getExecutionContextKey(name), value);
		}
		else {
			context.remove(getExecutionContextKey(name));
		}
	}

	@Override
	public R read() {
		for (T next = this.pages.next(); next != null; next = this.pages.next()) {
			R item = pass(next);
			if (item != null) {
				return item;
			}
		}
		return null;
	}

	/**
	 * Turns one inspected key into an item, or {@code null} to pass it over; moves the
	 * position past it.
	 */
	abstract R pass(T next);

	/**
	 * Moves the position past {@code key}, the key of the item {@link #pass} is given.
	 */
	void passed(String key) {
		this.pages.passed(key);
	}

	/** Adds one to the count at {@code index} of the names given at construction. */
	void count(int index) {
		this.counts[index]++;
	}

	/** The key without its prefix. */
	String threadId(String key) {
		return key.substring(this.keyPrefix.length());
	}

}
