package dev.workflowkeeper.batch;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.ToLongFunction;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamException;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.util.Assert;

/**
 * Reads ahead of the step: a background thread reads the delegate into a bounded queue
 * (at most {@code maxItems} items and about {@code maxBytes} bytes, one oversized item
 * always fits), so that the step's work overlaps with fetching and parsing the next items
 * (the migration's source, the maintenance scans).
 * <p>
 * Restart semantics are those of the delegate read synchronously: after each read the
 * background thread takes the delegate's {@link #update} into a fresh context and queues
 * it with the item; {@link #update} writes the entries of the last item
 * <em>returned</em>, not of the last one prefetched. An exception of the delegate is
 * thrown by {@link #read()} in its place in the order, on the caller's thread; the
 * delegate is read again only when the caller reads on after it, as it would be without
 * the queue. {@link #close()} stops the thread before it closes the delegate.
 * <p>
 * Not thread-safe (one step thread); restartable when the delegate is.
 *
 * @param <T> the item type
 */
public class PrefetchingItemReader<T> implements ItemStreamReader<T> {

	private static final long JOIN_TIMEOUT_SECONDS = 60;

	private static final int WAKE_BATCH = 64;

	private final ItemStreamReader<T> delegate;

	private final int maxItems;

	private final long maxBytes;

	private final ToLongFunction<T> weigher;

	private final String threadName;

	private final int wakeBatch;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition notEmpty = this.lock.newCondition();

	private final Condition roomOrResume = this.lock.newCondition();

	/** Guarded by {@link #lock}. */
	private final ArrayDeque<Slot<T>> queue = new ArrayDeque<>();

	/** Bytes of the queued items; guarded by {@link #lock}. */
	private long queuedBytes;

	/**
	 * Whether the producer waits for the caller to take the exception it queued; guarded
	 * by {@link #lock}.
	 */
	private boolean pausedAtFailure;

	/** Guarded by {@link #lock}. */
	private boolean stopping;

	private Thread producer;

	/** The delegate's context entries after the last item returned. */
	private Map<String, Object> position;

	/**
	 * Keys this reader wrote into the step's context: a key the delegate drops later is
	 * removed too.
	 */
	private final Set<String> writtenKeys = new HashSet<>();

	private boolean ended;

	/**
	 * @param delegate the reader to read ahead of; used only by the background thread
	 * once open
	 * @param maxItems how many items may wait in the queue
	 * @param maxBytes about how many bytes of items may wait in the queue
	 * @param weigher an item's size in bytes
	 * @param threadName the background thread's name
	 */
	public PrefetchingItemReader(ItemStreamReader<T> delegate, int maxItems, long maxBytes, ToLongFunction<T> weigher,
			String threadName) {
		Assert.isTrue(maxItems > 0, "maxItems must be positive");
		Assert.isTrue(maxBytes > 0, "maxBytes must be positive");
		this.delegate = delegate;
		this.maxItems = maxItems;
		this.maxBytes = maxBytes;
		this.weigher = weigher;
		this.threadName = threadName;
		this.wakeBatch = Math.min(WAKE_BATCH, maxItems);
	}

	@Override
	public void open(ExecutionContext executionContext) {
		Assert.state(this.producer == null, "the reader is already open");
		this.delegate.open(executionContext);
		ExecutionContext start = new ExecutionContext();
		this.delegate.update(start);
		this.position = start.toMap();
		this.queue.clear();
		this.queuedBytes = 0;
		this.pausedAtFailure = false;
		this.stopping = false;
		this.ended = false;
		this.producer = new Thread(this::produce, this.threadName);
		this.producer.setDaemon(true);
		this.producer.start();
	}

	@Override
	public T read() throws Exception {
		if (this.ended) {
			return null;
		}
		Assert.state(this.producer != null, "the reader is not open");
		Slot<T> slot = take();
		if (slot.position() != null) {
			this.position = slot.position();
		}
		if (slot.failure() != null) {
			resume();
			throw rethrowable(slot.failure());
		}
		if (slot.item() == null) {
			this.ended = true;
		}
		return slot.item();
	}

	@Override
	public void update(ExecutionContext executionContext) {
		if (this.position == null) {
			return;
		}
		for (String key : this.writtenKeys) {
			if (!this.position.containsKey(key)) {
				executionContext.remove(key);
			}
		}
		this.writtenKeys.clear();
		for (Map.Entry<String, Object> entry : this.position.entrySet()) {
			executionContext.put(entry.getKey(), entry.getValue());
			this.writtenKeys.add(entry.getKey());
		}
	}

	@Override
	public void close() {
		Thread thread = this.producer;
		this.producer = null;
		if (thread != null) {
			this.lock.lock();
			try {
				this.stopping = true;
				this.roomOrResume.signalAll();
			}
			finally {
				this.lock.unlock();
			}
			thread.interrupt();
			try {
				// the delegate is not thread-safe: it closes only once the thread has
				// left it
				thread.join(TimeUnit.SECONDS.toMillis(JOIN_TIMEOUT_SECONDS));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			Assert.state(!thread.isAlive(), () -> "the read-ahead thread " + this.threadName + " did not stop within "
					+ JOIN_TIMEOUT_SECONDS + "s; the source is not closed");
		}
		this.lock.lock();
		try {
			this.queue.clear();
			this.queuedBytes = 0;
		}
		finally {
			this.lock.unlock();
		}
		this.delegate.close();
	}

	/**
	 * The background thread: reads until the end of the delegate, a stop, or a fatal
	 * error.
	 */
	private void produce() {
		try {
			while (true) {
				T item = null;
				Throwable failure = null;
				try {
					item = this.delegate.read();
				}
				catch (Throwable ex) {
					failure = ex;
				}
				ExecutionContext after = new ExecutionContext();
				this.delegate.update(after);
				long weight = (item != null) ? this.weigher.applyAsLong(item) : 0;
				if (!put(new Slot<>(item, failure, after.toMap(), weight))) {
					return;
				}
				if (failure instanceof Error) {
					return;
				}
				if (item == null && failure == null) {
					return;
				}
			}
		}
		catch (Throwable ex) {
			// update() itself failed: the caller gets it in place of the next item
			put(new Slot<>(null, ex, null, 0));
		}
	}

	/**
	 * Queues a slot once there is room; after an exception, waits until the caller has
	 * taken it.
	 * @return {@code false} when the reader is closing
	 */
	private boolean put(Slot<T> slot) {
		this.lock.lock();
		try {
			// one item that alone exceeds the byte bound still goes through, when the
			// queue is empty
			while (!this.stopping && !this.queue.isEmpty()
					&& (this.queue.size() >= this.maxItems || this.queuedBytes + slot.weight() > this.maxBytes)) {
				this.notEmpty.signal();
				this.roomOrResume.await();
			}
			if (this.stopping) {
				return false;
			}
			this.queue.addLast(slot);
			this.queuedBytes += slot.weight();
			// a waiting caller is woken for a batch of items, not for each: fewer thread
			// switches
			if (this.queue.size() >= this.wakeBatch || slot.item() == null) {
				this.notEmpty.signal();
			}
			if (slot.failure() != null) {
				this.pausedAtFailure = true;
				while (!this.stopping && this.pausedAtFailure) {
					this.roomOrResume.await();
				}
			}
			return !this.stopping;
		}
		catch (InterruptedException ex) {
			return false;
		}
		finally {
			this.lock.unlock();
		}
	}

	private Slot<T> take() throws InterruptedException {
		this.lock.lock();
		try {
			Slot<T> slot;
			while ((slot = this.queue.pollFirst()) == null) {
				Assert.state(this.producer.isAlive() || !this.queue.isEmpty(), "the read-ahead thread has stopped");
				// woken for a batch, or after a millisecond when a slow source trickles
				this.notEmpty.await(1, TimeUnit.MILLISECONDS);
			}
			this.queuedBytes -= slot.weight();
			// wake the producer only once half the queue is free: fewer thread switches
			// per item
			if (this.queue.size() <= this.maxItems / 2 && this.queuedBytes <= this.maxBytes / 2) {
				this.roomOrResume.signal();
			}
			return slot;
		}
		finally {
			this.lock.unlock();
		}
	}

	private void resume() {
		this.lock.lock();
		try {
			this.pausedAtFailure = false;
			this.roomOrResume.signal();
		}
		finally {
			this.lock.unlock();
		}
	}

	private static Exception rethrowable(Throwable failure) {
		if (failure instanceof Error error) {
			throw error;
		}
		if (failure instanceof Exception exception) {
			return exception;
		}
		return new ItemStreamException("read-ahead failed", failure);
	}

	/**
	 * One read of the delegate: its item or exception, and the delegate's context entries
	 * after it.
	 */
	private record Slot<T>(T item, Throwable failure, Map<String, Object> position, long weight) {
	}

}
