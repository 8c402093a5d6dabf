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

import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.WorkflowEntry;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;

/**
 * Reads every key of one Redis node under the key prefix, of any type, as a maintenance scan sees it:
 * {@code MEMORY USAGE}, absolute expiry and, as the {@link KeyDetail} asks, the type and the value of a
 * string key.
 * <p>
 * Enumerates like {@link RedisWorkflowItemReader}: {@code SCAN cursor MATCH prefix* COUNT n}, the exact
 * prefix checked again, a key equal to the prefix (no thread id) passed over, each page sorted. The
 * keys of a page are inspected in pipelines of {@code pipelineSize} keys (one pipeline per page with the
 * defaults), each key with {@code MEMORY USAGE}, {@code PEXPIRETIME} on Redis 7 or {@code PTTL} before,
 * {@code TYPE} when types are asked for, and {@code GET} when values are; a {@code WRONGTYPE} reply to
 * {@code GET} is followed by one {@code TYPE} for that key. The commands of a pipeline are not atomic:
 * a key that vanished between {@code SCAN} and any of them is passed over and counted
 * ({@code vanished}). A key that is not valid UTF-8 names no thread id: it is rejected with a
 * {@link RejectedRecordException}, after which the reader goes on.
 * <p>
 * With {@code pipelinesInFlight > 0} the reader scans ahead and keeps that many pipelines in flight on
 * background threads, each on its own pooled connection, so that Redis works on the next keys while the
 * step takes in the last ones; the pages are still handed out in scan order, key by key. With 0 a
 * pipeline goes out only when the step needs its keys.
 * <p>
 * Restartable: the ExecutionContext holds, under the reader's name, the {@code cursor} of the page in
 * progress and the {@code lastKey} passed in it, and the counts {@code read} and {@code vanished}; see
 * {@link RedisWorkflowItemReader} for the trade-offs of a restart inside a page. Inspection done ahead
 * of the position is simply done again after a restart. Memory holds the pages in flight: about
 * {@code (pipelinesInFlight + 1) × scanCount} keys and their values.
 * <p>
 * Not thread-safe: use it from one step thread.
 */
final class RedisKeyInfoItemReader extends ItemStreamSupport implements ItemStreamReader<KeyInfo> {

	private static final String START = ScanParams.SCAN_POINTER_START;

	private final RedisNode node;

	private final String prefixText;

	private final byte[] prefix;

	private final int scanCount;

	private final int pipelineSize;

	private final int pipelinesInFlight;

	private final KeyDetail detail;

	/** The cursor that produced the page in progress. */
	private String cursor = START;

	/** The last key passed in the page in progress; {@code null} before the first. */
	private String lastKey;

	/** The page being handed out; {@code null} between pages. */
	private Page page;

	/** Pages scanned ahead of {@link #page}, in scan order. */
	private final Deque<Page> scanned = new ArrayDeque<>();

	/** The cursor of the next page to scan. */
	private String scanCursor;

	/** Whether the scan has returned its last page. */
	private boolean scanEnded;

	private boolean exhausted;

	private ExecutorService inspectors;

	private long read;

	private long vanished;

	RedisKeyInfoItemReader(String name, RedisNode node, String keyPrefix, int scanCount, int pipelineSize,
			int pipelinesInFlight, KeyDetail detail) {
		setName(name);
		this.node = node;
		this.prefixText = keyPrefix;
		this.prefix = keyPrefix.getBytes(StandardCharsets.UTF_8);
		this.scanCount = scanCount;
		this.pipelineSize = pipelineSize;
		// the scan itself needs a connection too
		this.pipelinesInFlight = Math.max(0, Math.min(pipelinesInFlight, node.maxConnections() - 1));
		this.detail = detail;
	}

	@Override
	public void open(ExecutionContext context) {
		this.cursor = context.getString(getExecutionContextKey("cursor"), START);
		this.lastKey = context.containsKey(getExecutionContextKey("lastKey"))
				? context.getString(getExecutionContextKey("lastKey")) : null;
		this.read = context.getLong(getExecutionContextKey("read"), 0);
		this.vanished = context.getLong(getExecutionContextKey("vanished"), 0);
		discardAhead();
		this.scanCursor = this.cursor;
		this.scanEnded = false;
		this.exhausted = false;
		if (this.pipelinesInFlight > 0 && this.inspectors == null) {
			AtomicInteger threads = new AtomicInteger();
			this.inspectors = Executors.newFixedThreadPool(this.pipelinesInFlight, (task) -> {
				Thread thread = new Thread(task, getName() + "-inspect-" + threads.incrementAndGet());
				thread.setDaemon(true);
				return thread;
			});
		}
	}

	@Override
	public void update(ExecutionContext context) {
		context.putString(getExecutionContextKey("cursor"), this.cursor);
		if (this.lastKey != null) {
			context.putString(getExecutionContextKey("lastKey"), this.lastKey);
		}
		else {
			context.remove(getExecutionContextKey("lastKey"));
		}
		context.putLong(getExecutionContextKey("read"), this.read);
		context.putLong(getExecutionContextKey("vanished"), this.vanished);
	}

	@Override
	public void close() {
		discardAhead();
		if (this.inspectors != null) {
			this.inspectors.shutdownNow();
			this.inspectors = null;
		}
	}

	@Override
	public KeyInfo read() {
		while (true) {
			if (this.page != null) {
				Inspected next = this.page.next();
				if (next != null) {
					KeyInfo info = pass(next);
					if (info != null) {
						return info;
					}
					continue;
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

	/** Moves the position past one inspected key; returns its info, or {@code null} when it is passed over. */
	private KeyInfo pass(Inspected next) {
		String key = RedisWorkflowItemReader.utf8(next.key());
		if (key == null) {
			throw new RejectedRecordException("key " + RedisWorkflowItemReader.printable(next.key()), null,
					"the key is not valid UTF-8, so it names no thread id");
		}
		this.lastKey = key;
		if (next.gone()) {
			this.vanished++;
			return null;
		}
		this.read++;
		return new KeyInfo(key, key.substring(this.prefixText.length()), next.type(), next.memoryBytes(),
				next.expireAt(), next.value(), next.fields());
	}

	/** Scans pages until {@code pipelinesInFlight} of them (at least one) wait, their pipelines sent. */
	private void scanAhead() {
		while (!this.scanEnded && this.scanned.size() < Math.max(1, this.pipelinesInFlight)) {
			Page next = scanPage(this.scanCursor, this.scanned.isEmpty() && this.page == null ? this.lastKey : null);
			this.scanned.add(next);
			this.scanCursor = next.nextCursor;
			this.scanEnded = START.equals(next.nextCursor);
		}
	}

	/** The page at {@code cursor}: the keys under the exact prefix, sorted, after {@code after} if set. */
	private Page scanPage(String cursor, String after) {
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
		Page page = new Page(result.getCursor());
		for (int from = 0; from < keys.size(); from += this.pipelineSize) {
			List<byte[]> batch = keys.subList(from, Math.min(keys.size(), from + this.pipelineSize));
			Callable<List<Inspected>> inspection = () -> this.node
				.execute((jedis) -> inspect(jedis, batch, this.node.version().hasPexpireTime(), this.detail));
			page.batches.add((this.inspectors != null) ? this.inspectors.submit(inspection) : null);
			page.pending.add(inspection);
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
			// PTTL counts from when the server runs it, after this: now + pttl never extends a life
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
			boolean gone = memory == null || expiry == -2 || "none".equals(typeOf[i])
					|| (values && typeOf[i] == null);
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

	/** The value of a string key; {@code null} when the key is gone, {@link #WRONG_TYPE} for another type. */
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

	/**
	 * One scanned page: its inspection batches, in flight on the inspectors or run when needed, and
	 * the keys of the batch being handed out.
	 */
	private static final class Page {

		final String nextCursor;

		final List<Future<List<Inspected>>> batches = new ArrayList<>();

		final List<Callable<List<Inspected>>> pending = new ArrayList<>();

		private int batch;

		private Iterator<Inspected> current = Collections.emptyIterator();

		Page(String nextCursor) {
			this.nextCursor = nextCursor;
		}

		/** The next inspected key of the page, in key order; {@code null} at its end. */
		Inspected next() {
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

		private List<Inspected> result(int index) {
			Future<List<Inspected>> inFlight = this.batches.get(index);
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

	/** What inspecting one key found. */
	private record Inspected(byte[] key, boolean gone, String type, long memoryBytes, long expireAt, byte[] value,
			StateFields fields) {
	}

}
