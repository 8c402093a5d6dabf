package dev.workflowkeeper.store.memory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.MaintainableStore.TtlOutcome;
import dev.workflowkeeper.store.RejectedRecordException;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowStore;
import dev.workflowkeeper.store.snapshot.JsonLinesEncoder;
import dev.workflowkeeper.store.snapshot.SnapshotItemReader;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * The worker's embedded store, {@code memory:}, for deployments without Redis: full keys
 * ({@code prefix + threadId}) in key order, each with its value and an absolute expiry,
 * as Redis keeps them. An expired state is invisible to every read; it is removed when a
 * read meets it and by a sweep every {@value #SWEEP_SECONDS} seconds, whose thread starts
 * with the first write.
 * <p>
 * Every state has an expiry: the store refuses one without, so nothing outlives its TTL.
 * The states are loaded from {@code dataDir/memory-store.jsonl} on first use and written
 * back there atomically at shutdown when anything changed. Thread-safe; values are kept
 * as given, callers must not change the arrays afterwards.
 */
@Component
public class MemoryWorkflowStore implements DisposableBean {

	static final String FILE_NAME = "memory-store.jsonl";

	private static final long SWEEP_SECONDS = 60;

	private static final Log logger = LogFactory.getLog(MemoryWorkflowStore.class);

	private final ConcurrentSkipListMap<String, Stored> entries = new ConcurrentSkipListMap<>();

	private final Path file;

	private final long maxRecordSize;

	private final AtomicBoolean changed = new AtomicBoolean();

	/**
	 * How many expired states were removed since the store was created, as Redis counts
	 * {@code expired_keys}.
	 */
	private final AtomicLong expiredRemoved = new AtomicLong();

	private volatile boolean loaded;

	private ScheduledExecutorService sweeper;

	public MemoryWorkflowStore(KeeperProperties properties) {
		this.file = properties.dataDir().resolve(FILE_NAME);
		this.maxRecordSize = properties.migration().maxRecordSize().toBytes();
	}

	/**
	 * A store over the keys that start with {@code keyPrefix}; closing it leaves the data
	 * alone.
	 */
	public WorkflowStore view(String keyPrefix) {
		return new MemoryStoreView(this, keyPrefix);
	}

	/**
	 * The state under a full key with its expiry, as a {@link WorkflowEntry} whose thread
	 * id is the key.
	 */
	public Optional<WorkflowEntry> get(String key) {
		Stored stored = live(key);
		return (stored != null) ? Optional.of(new WorkflowEntry(key, stored.value(), stored.expireAtMillis()))
				: Optional.empty();
	}

	/**
	 * Stores a state under a full key, replacing any.
	 * @throws IllegalStateException when the entry has no expiry
	 */
	public void put(String key, byte[] value, long expireAtMillis) {
		ensureLoaded();
		this.entries.put(key, stored(key, value, expireAtMillis));
		noteWrite();
	}

	/**
	 * Gives a live state a new absolute expiry (PEXPIREAT).
	 * @return whether the key held a live state
	 */
	public boolean expireAt(String key, long expireAtMillis) {
		Stored stored;
		do {
			stored = live(key);
			if (stored == null) {
				return false;
			}
		}
		while (!this.entries.replace(key, stored, stored(key, stored.value(), expireAtMillis)));
		this.changed.set(true);
		return true;
	}

	/**
	 * Deletes a state only when it still holds {@code expected}: a state changed since it
	 * was judged is kept.
	 * @return whether the state was deleted
	 */
	public boolean deleteIfValue(String key, byte[] expected) {
		Stored stored = live(key);
		if (stored == null || !Arrays.equals(stored.value(), expected) || !this.entries.remove(key, stored)) {
			return false;
		}
		this.changed.set(true);
		return true;
	}

	/**
	 * Caps the expiry of a live state at {@code maxExpireAtMillis}, atomically, and only
	 * while it still holds {@code expected} when that is given. A state here always has
	 * an expiry, so none is ever filled: the outcome is {@link TtlOutcome#CAPPED},
	 * {@link TtlOutcome#UNTOUCHED} or {@link TtlOutcome#CHANGED_OR_GONE}.
	 */
	public TtlOutcome capExpiry(String key, long maxExpireAtMillis, byte[] expected) {
		return capExpiry(key, maxExpireAtMillis, null, expected);
	}

	/**
	 * Caps the expiry of a live state at the earlier of {@code maxExpireAtMillis} and,
	 * when {@code maxTtl} is given, the clock at the moment of the change plus
	 * {@code maxTtl}, as {@link #capExpiry(String, long, byte[])} does.
	 */
	public TtlOutcome capExpiry(String key, long maxExpireAtMillis, Duration maxTtl, byte[] expected) {
		// the map may apply the function more than once: only the last application counts
		TtlOutcome[] outcome = new TtlOutcome[1];
		Stored[] expired = new Stored[1];
		entries().computeIfPresent(key, (k, stored) -> {
			expired[0] = null;
			long now = System.currentTimeMillis();
			long max = (maxTtl != null) ? Math.min(maxExpireAtMillis, now + maxTtl.toMillis()) : maxExpireAtMillis;
			if (stored.expiredAt(now)) {
				outcome[0] = TtlOutcome.CHANGED_OR_GONE;
				expired[0] = stored;
				return null;
			}
			if (expected != null && !Arrays.equals(stored.value(), expected)) {
				outcome[0] = TtlOutcome.CHANGED_OR_GONE;
				return stored;
			}
			if (stored.expireAtMillis() > max) {
				outcome[0] = TtlOutcome.CAPPED;
				return new Stored(stored.value(), max);
			}
			outcome[0] = TtlOutcome.UNTOUCHED;
			return stored;
		});
		if (expired[0] != null) {
			this.expiredRemoved.incrementAndGet();
		}
		if (outcome[0] == TtlOutcome.CAPPED) {
			this.changed.set(true);
		}
		return (outcome[0] != null) ? outcome[0] : TtlOutcome.CHANGED_OR_GONE;
	}

	/** How many expired states were removed since the store was created. */
	public long expiredCount() {
		return this.expiredRemoved.get();
	}

	/** How many live states have keys that start with {@code keyPrefix}. */
	public long count(String keyPrefix) {
		ensureLoaded();
		long now = System.currentTimeMillis();
		long count = 0;
		for (Map.Entry<String, Stored> entry : range(keyPrefix, null).entrySet()) {
			if (!entry.getKey().startsWith(keyPrefix)) {
				break;
			}
			if (!entry.getValue().expiredAt(now)) {
				count++;
			}
		}
		return count;
	}

	/**
	 * Removes the states whose expiry has passed.
	 * @return how many were removed
	 */
	public int removeExpired() {
		ensureLoaded();
		long now = System.currentTimeMillis();
		int removed = 0;
		for (Map.Entry<String, Stored> entry : this.entries.entrySet()) {
			if (entry.getValue().expiredAt(now) && dropExpired(entry.getKey(), entry.getValue())) {
				removed++;
			}
		}
		return removed;
	}

	/**
	 * Writes the states to the data folder when anything changed, then stops the sweep.
	 */
	@Override
	public void destroy() {
		synchronized (this) {
			if (this.sweeper != null) {
				this.sweeper.shutdownNow();
				this.sweeper = null;
			}
		}
		save();
	}

	/**
	 * Writes the live states to {@code dataDir/memory-store.jsonl} atomically, when
	 * anything changed.
	 */
	public synchronized void save() {
		if (!this.changed.getAndSet(false)) {
			return;
		}
		Path temporary = this.file.resolveSibling(FILE_NAME + ".tmp");
		try {
			Files.createDirectories(this.file.toAbsolutePath().getParent());
			long now = System.currentTimeMillis();
			try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
					StandardOpenOption.TRUNCATE_EXISTING);
					OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024)) {
				for (Map.Entry<String, Stored> entry : this.entries.entrySet()) {
					Stored stored = entry.getValue();
					if (!stored.expiredAt(now)) {
						try {
							JsonLinesEncoder.write(out,
									new WorkflowEntry(entry.getKey(), stored.value(), stored.expireAtMillis()));
						}
						catch (RejectedRecordException ex) {
							// Writers refuse such values; one that got in anyway must not
							// cost the whole file.
							logger.error("Cannot save " + entry.getKey() + " to " + this.file + ": " + ex.reason());
						}
					}
				}
				out.flush();
				channel.force(true);
			}
			Files.move(temporary, this.file, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			this.changed.set(true);
			throw new StoreAccessException("cannot save the memory store to " + this.file + ": " + ex.getMessage(), ex);
		}
	}

	/** The live state under a key, removing it when it has expired. */
	Stored live(String key) {
		ensureLoaded();
		Stored stored = this.entries.get(key);
		if (stored != null && stored.expiredAt(System.currentTimeMillis())) {
			dropExpired(key, stored);
			return null;
		}
		return stored;
	}

	/**
	 * The keys from {@code prefix} on (or after {@code lastKey}), in order; the caller
	 * stops at the first key past the prefix.
	 */
	NavigableMap<String, Stored> range(String prefix, String lastKey) {
		ensureLoaded();
		return (lastKey != null) ? this.entries.tailMap(lastKey, false) : this.entries.tailMap(prefix, true);
	}

	/** Removes a state that has expired, unless it was replaced meanwhile; counts it. */
	boolean dropExpired(String key, Stored stored) {
		if (this.entries.remove(key, stored)) {
			this.expiredRemoved.incrementAndGet();
			return true;
		}
		return false;
	}

	ConcurrentSkipListMap<String, Stored> entries() {
		ensureLoaded();
		return this.entries;
	}

	/**
	 * Notes a write: the file is saved at shutdown, and the sweep starts with the first
	 * state.
	 */
	void noteWrite() {
		this.changed.set(true);
		if (this.sweeper == null) {
			startSweeper();
		}
	}

	Stored stored(String key, byte[] value, long expireAtMillis) {
		if (expireAtMillis == WorkflowEntry.NO_EXPIRY) {
			throw new IllegalStateException(
					"the memory store keeps no state without expiry (key " + key + "): give the states a TTL");
		}
		return new Stored(value, expireAtMillis);
	}

	private synchronized void startSweeper() {
		if (this.sweeper == null) {
			this.sweeper = Executors.newSingleThreadScheduledExecutor((runnable) -> {
				Thread thread = new Thread(runnable, "memory-store-sweeper");
				thread.setDaemon(true);
				return thread;
			});
			this.sweeper.scheduleWithFixedDelay(this::removeExpired, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
		}
	}

	private void ensureLoaded() {
		if (!this.loaded) {
			synchronized (this) {
				if (!this.loaded) {
					load();
					this.loaded = true;
				}
			}
		}
	}

	/**
	 * Reads the saved states back; a bad line costs that state only, an expired one is
	 * dropped.
	 */
	private void load() {
		if (!Files.exists(this.file)) {
			return;
		}
		SnapshotItemReader reader = new SnapshotItemReader("memory-store", this.file, this.maxRecordSize);
		long now = System.currentTimeMillis();
		int rejected = 0;
		reader.open(new ExecutionContext());
		try {
			while (true) {
				try {
					WorkflowEntry entry = reader.read();
					if (entry == null) {
						break;
					}
					if (entry.hasExpiry() && entry.expireAtMillis() > now) {
						this.entries.put(entry.threadId(), new Stored(entry.value(), entry.expireAtMillis()));
					}
				}
				catch (RejectedRecordException ex) {
					rejected++;
					logger.warn("Skipping a state of " + this.file + ": " + ex.getMessage());
				}
			}
		}
		finally {
			reader.close();
		}
		if (!this.entries.isEmpty()) {
			startSweeper();
		}
		logger.info("Loaded " + this.entries.size() + " states from " + this.file
				+ ((rejected > 0) ? " (" + rejected + " unreadable ones skipped)" : ""));
	}

	/**
	 * A state as the store keeps it.
	 *
	 * @param value the state's bytes
	 * @param expireAtMillis absolute expiry in epoch milliseconds
	 */
	record Stored(byte[] value, long expireAtMillis) {

		boolean expiredAt(long nowMillis) {
			return this.expireAtMillis <= nowMillis;
		}

	}

}
