package dev.workflowkeeper.store.redis;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.workflowkeeper.store.StoreAccessException;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * The keys of one Redis node under a prefix, as the readers walk them:
 * {@code SCAN cursor MATCH prefix*
 * COUNT n} (never {@code KEYS}), the exact prefix checked again (a glob only narrows the
 * search), a key equal to the prefix passed over, each page sorted in byte order, and its
 * keys inspected in pipelines of {@code pipelineSize} keys by the caller's
 * {@code inspection}. Items come out one by one, in page and key order.
 * <p>
 * The position is the cursor of the page in progress, the last key the caller
 * {@link #passed} and the cursor that followed that page when it was first scanned (its
 * end): a restart ({@link #start}) scans that page again and skips the keys up to the
 * last one. {@code SCAN cursor COUNT n} visits buckets until it has about {@code n} keys,
 * so once keys of that page are gone (deleted by a purge, expired) the rescan reaches
 * into buckets of the pages that followed, and its keys sorting before the last one were
 * never handed out. So the scan goes on at the earlier of the two ends, the first scan's
 * and the rescan's, and the keys the rescanned page handed out are not handed out again
 * for the rest of the run (at most one page of keys in memory). Every key that exists
 * throughout is handed out once after a restart unless it was before it. The trade-offs:
 * a page is fetched twice around a restart; a key written into that page's buckets after
 * the first scan but sorting before the last key is missed, as {@code SCAN} may miss keys
 * created during an iteration anyway; when keys were added to the page's buckets, the
 * rescan ends earlier and keys passed before the restart may come again, as may keys that
 * move during a rehash, or of the rescanned page after a second restart in the page. A
 * position saved without an end (by an older version) resumes where the rescan ends. The
 * ends are compared as {@code SCAN} orders its cursors (bit-reversed), which holds for
 * the one keyspace of a standalone server.
 * <p>
 * With {@code pipelinesInFlight > 0} the pages are scanned ahead and that many pipelines
 * are kept in flight on background threads, each on its own pooled connection, so that
 * Redis works on the next keys while the caller takes in the last ones; with 0 a pipeline
 * goes out only when its keys are needed. Memory holds about
 * {@code (pipelinesInFlight + 1) × scanCount} keys and what their inspection returned.
 * <p>
 * Not thread-safe: use it from one thread.
 *
 * @param <T> what inspecting one key gives
 */
final class RedisKeyPages<T> implements AutoCloseable {

	private static final String START = ScanParams.SCAN_POINTER_START;

	private final String name;

	private final RedisNode node;

	private final byte[] prefix;

	private final int scanCount;

	private final int pipelineSize;

	private final int pipelinesInFlight;

	private final BiFunction<Jedis, List<byte[]>, List<T>> inspection;

	/** The cursor that produced the page in progress. */
	private String cursor = START;

	/** The last key passed in the page in progress; {@code null} before the first. */
	private String lastKey;

	/**
	 * The cursor that followed the page in progress when it was first scanned;
	 * {@code null} when not known.
	 */
	private String pageEnd;

	/** The next page to scan is the one a restart resumes. */
	private boolean resuming;

	/** Keys a rescanned page handed out, not to be handed out again in this run. */
	private final Set<ByteBuffer> handedOut = new HashSet<>();

	/** The page being handed out; {@code null} between pages. */
	private Page<T> page;

	/** Pages scanned ahead of {@link #page}, in scan order. */
	private final Deque<Page<T>> scanned = new ArrayDeque<>();

	/** The cursor of the next page to scan. */
	private String scanCursor = START;

	private boolean scanEnded;

	private boolean exhausted;

	private ExecutorService inspectors;

	/** The node's restarts when the scan started: a SCAN cursor holds within one. */
	private int restartsAtStart;

	/**
	 * Whether the node owns a key's slot (a Cluster master may still return keys of slots
	 * it gave away); every key by default.
	 */
	private Predicate<byte[]> owned = (key) -> true;

	/** The node's slots, when a Cluster master's: they must hold during the scan. */
	private Supplier<String> slots = () -> "";

	private String slotsAtStart = "";

	/** Whether the scan ends before the page at a cursor (a sample); never by default. */
	private Predicate<String> stopBefore = (next) -> false;

	/**
	 * @param name names the background threads
	 * @param inspection inspects a batch of keys on one connection: one item per key, in
	 * order
	 */
	RedisKeyPages(String name, RedisNode node, byte[] prefix, int scanCount, int pipelineSize, int pipelinesInFlight,
			BiFunction<Jedis, List<byte[]>, List<T>> inspection) {
		this.name = name;
		this.node = node;
		this.prefix = prefix;
		this.scanCount = scanCount;
		this.pipelineSize = pipelineSize;
		// the scan itself needs a connection too
		this.pipelinesInFlight = Math.max(0, Math.min(pipelinesInFlight, node.maxConnections() - 1));
		this.inspection = inspection;
	}

	/**
	 * Starts (again) from {@code cursor}, after {@code lastKey} in its page when set;
	 * drops what was ahead.
	 * @param pageEnd the cursor that followed the page at {@code cursor} when it was
	 * first scanned, {@code null} if not known
	 */
	void start(String cursor, String lastKey, String pageEnd) {
		discardAhead();
		this.cursor = cursor;
		this.lastKey = lastKey;
		this.pageEnd = pageEnd;
		this.resuming = true;
		this.handedOut.clear();
		this.restartsAtStart = this.node.restarts();
		this.slotsAtStart = this.slots.get();
		this.scanCursor = cursor;
		this.scanEnded = false;
		this.exhausted = false;
		if (this.pipelinesInFlight > 0 && this.inspectors == null) {
			AtomicInteger threads = new AtomicInteger();
			this.inspectors = Executors.newFixedThreadPool(this.pipelinesInFlight, (task) -> {
				Thread thread = new Thread(task, this.name + "-inspect-" + threads.incrementAndGet());
				thread.setDaemon(true);
				return thread;
			});
		}
	}

	/**
	 * Passes over the keys {@code owned} refuses, and ends the scan with a
	 * {@link StoreAccessException} when the node's {@code slots} change during it (a
	 * failover, a resharding): its position no longer covers the keys it must. Set before
	 * {@link #start}.
	 */
	void owned(Predicate<byte[]> owned, Supplier<String> slots) {
		this.owned = owned;
		this.slots = slots;
	}

	/**
	 * Ends the scan before the first page whose cursor {@code stopBefore} accepts (a
	 * sample), keeping the position at the page before it, so that a restart ends there
	 * too. The test may be asked again of a cursor it accepted, and must accept it again.
	 */
	void stopBefore(Predicate<String> stopBefore) {
		this.stopBefore = stopBefore;
	}

	/**
	 * The share of the keyspace visited before the page at {@code cursor}: {@code SCAN}
	 * walks the buckets in bit-reversed order, so the reversed cursor counts from 0 to
	 * 2^64 over one scan whatever the table's size.
	 */
	static double share(String cursor) {
		return (Long.reverse(Long.parseUnsignedLong(cursor)) >>> 11) * 0x1.0p-53;
	}

	/**
	 * The share of the keyspace visited once the page in progress is read: 1 once the
	 * cursor came back to 0.
	 */
	double visited() {
		String end = (this.pageEnd != null) ? this.pageEnd : this.cursor;
		return START.equals(end) ? ((this.pageEnd != null || this.exhausted) ? 1.0 : 0.0) : share(end);
	}

	/** The next inspected key, in order; {@code null} when the scan is over. */
	T next() {
		while (true) {
			if (this.page != null) {
				T next = this.page.next();
				if (next != null) {
					return next;
				}
				String nextCursor = this.page.nextCursor;
				this.page = null;
				if (START.equals(nextCursor) || this.stopBefore.test(nextCursor)) {
					// keep the last page's position: a restart finds nothing left in it
					this.exhausted = true;
				}
				else {
					this.cursor = nextCursor;
					this.lastKey = null;
					this.pageEnd = null;
				}
			}
			if (this.exhausted) {
				return null;
			}
			scanAhead();
			this.page = this.scanned.poll();
			if (this.page != null) {
				this.pageEnd = this.page.nextCursor;
			}
			else {
				// the scan ahead stopped where a sample ends
				this.exhausted = true;
			}
		}
	}

	/**
	 * Moves the position past {@code key}, the key of the item {@link #next} returned
	 * last.
	 */
	void passed(String key) {
		this.lastKey = key;
	}

	/** The cursor of the page in progress. */
	String cursor() {
		return this.cursor;
	}

	/** The last key passed in the page in progress; {@code null} before the first. */
	String lastKey() {
		return this.lastKey;
	}

	/**
	 * The cursor that followed the page in progress when it was first scanned;
	 * {@code null} when not known.
	 */
	String pageEnd() {
		return this.pageEnd;
	}

	@Override
	public void close() {
		discardAhead();
		if (this.inspectors != null) {
			this.inspectors.shutdownNow();
			this.inspectors = null;
		}
	}

	/**
	 * Scans pages until {@code pipelinesInFlight} of them (at least one) wait, their
	 * pipelines sent.
	 */
	private void scanAhead() {
		while (!this.scanEnded && this.scanned.size() < Math.max(1, this.pipelinesInFlight)) {
			Page<T> next = this.resuming ? resumePage() : page(scanKeys(this.scanCursor, null));
			this.resuming = false;
			this.scanned.add(next);
			this.scanCursor = next.nextCursor;
			this.scanEnded = START.equals(next.nextCursor) || this.stopBefore.test(next.nextCursor);
		}
	}

	/**
	 * The page a restart resumes: the page at {@link #cursor} scanned again, after
	 * {@link #lastKey}, followed by the earlier of its two ends; its keys are remembered
	 * when it ends elsewhere than the first time, as the pages from the earlier end may
	 * hold them again.
	 */
	private Page<T> resumePage() {
		if (this.lastKey == null) {
			return page(scanKeys(this.cursor, null));
		}
		Scanned rescanned = scanKeys(this.cursor, this.lastKey);
		if (this.pageEnd == null || this.pageEnd.equals(rescanned.nextCursor())) {
			return page(rescanned);
		}
		rescanned.keys().forEach((key) -> this.handedOut.add(ByteBuffer.wrap(key)));
		String earlier = isBefore(rescanned.nextCursor(), this.pageEnd) ? rescanned.nextCursor() : this.pageEnd;
		return page(new Scanned(rescanned.keys(), earlier));
	}

	/**
	 * Whether {@code SCAN} visits {@code cursor} before {@code other}: it walks the
	 * buckets in bit-reversed order, whatever the table's size, and {@code 0} ends it. A
	 * cursor that is not a number is taken as the earlier.
	 */
	static boolean isBefore(String cursor, String other) {
		if (START.equals(cursor)) {
			return false;
		}
		if (START.equals(other)) {
			return true;
		}
		try {
			return Long.compareUnsigned(Long.reverse(Long.parseUnsignedLong(cursor)),
					Long.reverse(Long.parseUnsignedLong(other))) < 0;
		}
		catch (NumberFormatException ex) {
			return true;
		}
	}

	/**
	 * The keys at {@code cursor}: those under the exact prefix and not handed out by a
	 * rescanned page, sorted, after {@code after} if set.
	 */
	private Scanned scanKeys(String cursor, String after) {
		ScanParams params = new ScanParams().match(RedisWorkflowItemReader.globEscaped(this.prefix))
			.count(this.node.batch(this.scanCount));
		ScanResult<byte[]> result = this.node.execute(0,
				(jedis) -> jedis.scan(cursor.getBytes(StandardCharsets.US_ASCII), params));
		if (this.node.restarts() != this.restartsAtStart) {
			throw new StoreAccessException("Redis at " + this.node.address()
					+ " restarted or failed over during the scan, so its SCAN position no longer holds; the scan starts over when the run is resumed");
		}
		if (!this.slots.get().equals(this.slotsAtStart)) {
			throw slotsChanged(null);
		}
		byte[] afterBytes = (after != null) ? after.getBytes(StandardCharsets.UTF_8) : null;
		List<byte[]> keys = new ArrayList<>(result.getResult().size());
		for (byte[] key : result.getResult()) {
			if (key.length > this.prefix.length
					&& Arrays.equals(key, 0, this.prefix.length, this.prefix, 0, this.prefix.length)
					&& (afterBytes == null || Arrays.compareUnsigned(key, afterBytes) > 0)
					&& (this.handedOut.isEmpty() || !this.handedOut.contains(ByteBuffer.wrap(key)))
					&& this.owned.test(key)) {
				keys.add(key);
			}
		}
		// byte order is code point order for UTF-8, the order in which lastKey compares
		keys.sort(Arrays::compareUnsigned);
		return new Scanned(keys, result.getCursor());
	}

	/**
	 * The page of {@code scanned} keys, their inspections sent when pipelines run ahead.
	 */
	private Page<T> page(Scanned scanned) {
		List<byte[]> keys = scanned.keys();
		Page<T> page = new Page<>(scanned.nextCursor());
		int size = this.node.batch(this.pipelineSize);
		for (int from = 0; from < keys.size(); from += size) {
			List<byte[]> batch = keys.subList(from, Math.min(keys.size(), from + size));
			Callable<List<T>> inspect = () -> {
				try {
					return this.node.execute(batch.size(), (jedis) -> this.inspection.apply(jedis, batch));
				}
				catch (StoreAccessException ex) {
					// a key of the page answered MOVED or ASK: the node no longer owns it
					throw (ex.getCause() instanceof JedisRedirectionException) ? slotsChanged(ex) : ex;
				}
			};
			page.batches.add((this.inspectors != null) ? this.inspectors.submit(inspect) : null);
			page.pending.add(inspect);
		}
		return page;
	}

	private StoreAccessException slotsChanged(Throwable cause) {
		return new StoreAccessException("the slots of Redis at " + this.node.address()
				+ " changed during the scan (a failover or a resharding), so its SCAN position no longer holds;"
				+ " run the same command again: the scan of this master starts over", cause);
	}

	/** The keys one {@code SCAN} gave, and the cursor it returned. */
	private record Scanned(List<byte[]> keys, String nextCursor) {

	}

	/** Drops the pages scanned ahead, and their inspections still in flight. */
	private void discardAhead() {
		if (this.page != null) {
			this.page.cancel();
			this.page = null;
		}
		this.scanned.forEach(Page::cancel);
		this.scanned.clear();
	}

	/**
	 * One scanned page: its inspection batches, in flight on the inspectors or run when
	 * needed, and the items of the batch being handed out.
	 */
	private static final class Page<T> {

		final String nextCursor;

		final List<Future<List<T>>> batches = new ArrayList<>();

		final List<Callable<List<T>>> pending = new ArrayList<>();

		private int batch;

		private Iterator<T> current = Collections.emptyIterator();

		Page(String nextCursor) {
			this.nextCursor = nextCursor;
		}

		/** The next item of the page, in key order; {@code null} at its end. */
		T next() {
			while (!this.current.hasNext()) {
				if (this.batch == this.batches.size()) {
					return null;
				}
				this.current = result(this.batch).iterator();
				this.batches.set(this.batch, null);
				this.pending.set(this.batch, null);
				this.batch++;
			}
			return this.current.next();
		}

		private List<T> result(int index) {
			Future<List<T>> inFlight = this.batches.get(index);
			try {
				return (inFlight != null) ? inFlight.get() : this.pending.get(index).call();
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while inspecting keys", ex);
			}
			catch (ExecutionException ex) {
				throw rethrow(ex.getCause());
			}
			catch (Exception ex) {
				throw rethrow(ex);
			}
		}

		void cancel() {
			this.batches.forEach((inFlight) -> {
				if (inFlight != null) {
					inFlight.cancel(false);
				}
			});
		}

		private static RuntimeException rethrow(Throwable failure) {
			if (failure instanceof RuntimeException runtime) {
				return runtime;
			}
			if (failure instanceof Error error) {
				throw error;
			}
			return new IllegalStateException(failure);
		}

	}

}
