package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import redis.clients.jedis.Jedis;
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
 * The position is the cursor of the page in progress and the last key the caller
 * {@link #passed}: a restart ({@link #start}) scans that page again and skips the keys up
 * to that one. The trade-off: a page is fetched twice around a restart, and a key written
 * into that page's slots after the first scan but sorting before the last key is missed,
 * as {@code SCAN} may miss keys created during an iteration anyway. {@code SCAN} returns
 * every key that exists for the whole iteration at least once; one that moves during a
 * rehash may come twice.
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

	/** The page being handed out; {@code null} between pages. */
	private Page<T> page;

	/** Pages scanned ahead of {@link #page}, in scan order. */
	private final Deque<Page<T>> scanned = new ArrayDeque<>();

	/** The cursor of the next page to scan. */
	private String scanCursor = START;

	private boolean scanEnded;

	private boolean exhausted;

	private ExecutorService inspectors;

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
	 */
	void start(String cursor, String lastKey) {
		discardAhead();
		this.cursor = cursor;
		this.lastKey = lastKey;
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
				if (START.equals(nextCursor)) {
					// keep the last page's position: a restart finds nothing left in it
					this.exhausted = true;
				}
				else {
					this.cursor = nextCursor;
					this.lastKey = null;
				}
			}
			if (this.exhausted) {
				return null;
			}
			scanAhead();
			this.page = this.scanned.poll();
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
			// only the page a restart resumes skips keys
			boolean resumed = this.scanned.isEmpty() && this.page == null;
			Page<T> next = scanPage(this.scanCursor, resumed ? this.lastKey : null);
			this.scanned.add(next);
			this.scanCursor = next.nextCursor;
			this.scanEnded = START.equals(next.nextCursor);
		}
	}

	/**
	 * The page at {@code cursor}: the keys under the exact prefix, sorted, after
	 * {@code after} if set.
	 */
	private Page<T> scanPage(String cursor, String after) {
		ScanParams params = new ScanParams().match(RedisWorkflowItemReader.globEscaped(this.prefix))
			.count(this.scanCount);
		ScanResult<byte[]> result = this.node
			.execute((jedis) -> jedis.scan(cursor.getBytes(StandardCharsets.US_ASCII), params));
		byte[] afterBytes = (after != null) ? after.getBytes(StandardCharsets.UTF_8) : null;
		List<byte[]> keys = new ArrayList<>(result.getResult().size());
		for (byte[] key : result.getResult()) {
			if (key.length > this.prefix.length
					&& Arrays.equals(key, 0, this.prefix.length, this.prefix, 0, this.prefix.length)
					&& (afterBytes == null || Arrays.compareUnsigned(key, afterBytes) > 0)) {
				keys.add(key);
			}
		}
		// byte order is code point order for UTF-8, the order in which lastKey compares
		keys.sort(Arrays::compareUnsigned);
		Page<T> page = new Page<>(result.getCursor());
		for (int from = 0; from < keys.size(); from += this.pipelineSize) {
			List<byte[]> batch = keys.subList(from, Math.min(keys.size(), from + this.pipelineSize));
			Callable<List<T>> inspect = () -> this.node.execute((jedis) -> this.inspection.apply(jedis, batch));
			page.batches.add((this.inspectors != null) ? this.inspectors.submit(inspect) : null);
			page.pending.add(inspect);
		}
		return page;
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
