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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.UnaryOperator;

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
 * <p>
 * One process at a time: the first use takes an OS lock on {@code memory-store.lock} in
 * the data folder ({@link MemoryStoreLock}) and holds it until the store is closed;
 * another process that opens the store meanwhile is refused with a
 * {@link dev.workflowkeeper.store.StoreInUseException} naming the owner. The states are
 * loaded then from {@code dataDir/memory-store.jsonl}, a snapshot of the configured
 * prefix's states (thread ids without the prefix, as {@code migrate --from snapshot:}
 * reads them), from {@code memory-store.other-prefixes.jsonl} (full keys of any other
 * prefix), and from the journal of the changes made since ({@link MemoryJournal}). Each
 * change is journaled as it is made and fsynced at every chunk commit ({@link #sync}), so
 * a crash loses no committed chunk; the files are rewritten atomically (temporary file,
 * fsync, rename) and the journal emptied when the store is loaded after a crash, when the
 * journal outgrows {@value #COMPACT_BYTES} bytes and the file, and when the store is
 * closed. A file of the former layout, full keys as thread ids, is read as such and
 * rewritten.
 * <p>
 * Thread-safe; values are kept as given, callers must not change the arrays afterwards.
 */
@Component
public class MemoryWorkflowStore implements DisposableBean {

	static final String FILE_NAME = "memory-store.jsonl";

	static final String OTHER_PREFIXES_FILE_NAME = "memory-store.other-prefixes.jsonl";

	private static final long SWEEP_SECONDS = 60;

	/**
	 * The journal is compacted into the file once it holds more than this, and the file.
	 */
	private static final long COMPACT_BYTES = 64L * 1024 * 1024;

	private static final int STRIPES = 64;

	private static final Log logger = LogFactory.getLog(MemoryWorkflowStore.class);

	private final ConcurrentSkipListMap<String, Stored> entries = new ConcurrentSkipListMap<>();

	private final Path file;

	private final Path otherPrefixesFile;

	private final String keyPrefix;

	private final long maxRecordSize;

	private final MemoryStoreLock lock;

	private final MemoryJournal journal;

	/**
	 * One change per key at a time, so the journal holds a key's changes in map order.
	 */
	private final Object[] stripes = new Object[STRIPES];

	/** Changes share it; writing the files takes it alone. */
	private final ReentrantReadWriteLock compaction = new ReentrantReadWriteLock();

	private final AtomicBoolean changed = new AtomicBoolean();

	/**
	 * How many expired states were removed since the store was created, as Redis counts
	 * {@code expired_keys}.
	 */
	private final AtomicLong expiredRemoved = new AtomicLong();

	private volatile boolean loaded;

	/** The journal is compacted once it holds more bytes than this. */
	private volatile long compactAbove = COMPACT_BYTES;

	private ScheduledExecutorService sweeper;

	public MemoryWorkflowStore(KeeperProperties properties) {
		this.file = properties.dataDir().resolve(FILE_NAME);
		this.otherPrefixesFile = properties.dataDir().resolve(OTHER_PREFIXES_FILE_NAME);
		this.keyPrefix = properties.keyPrefix();
		this.maxRecordSize = properties.migration().maxRecordSize().toBytes();
		this.lock = new MemoryStoreLock(this.file);
		this.journal = new MemoryJournal(this.file);
		for (int i = 0; i < STRIPES; i++) {
			this.stripes[i] = new Object();
		}
	}

	/**
	 * Takes the store for this process and loads it, if not done yet.
	 * @throws dev.workflowkeeper.store.StoreInUseException when another process holds it
	 */
	public void open() {
		ensureLoaded();
	}

	/**
	 * A store over the keys that start with {@code keyPrefix}; closing it leaves the data
	 * alone. Opening it takes the store for this process.
	 * @throws dev.workflowkeeper.store.StoreInUseException when another process holds it
	 */
	public WorkflowStore view(String keyPrefix) {
		ensureLoaded();
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
	 * Stores a state under a full key, replacing any; durable when this returns.
	 * @throws IllegalStateException when the entry has no expiry
	 */
	public void put(String key, byte[] value, long expireAtMillis) {
		Stored incoming = stored(key, value, expireAtMillis);
		update(key, (existing) -> incoming);
		sync();
	}

	/**
	 * Gives a live state a new absolute expiry (PEXPIREAT); durable when this returns.
	 * @return whether the key held a live state
	 */
	public boolean expireAt(String key, long expireAtMillis) {
		long now = System.currentTimeMillis();
		boolean[] live = new boolean[1];
		update(key, (stored) -> {
			live[0] = stored != null && !stored.expiredAt(now);
			return live[0] ? stored(key, stored.value(), expireAtMillis) : stored;
		});
		sync();
		return live[0];
	}

	/**
	 * Deletes a state only when it still holds {@code expected}: a state changed since it
	 * was judged is kept. Durable at the next {@link #sync}.
	 * @return whether the state was deleted
	 */
	public boolean deleteIfValue(String key, byte[] expected) {
		long now = System.currentTimeMillis();
		boolean[] deleted = new boolean[1];
		update(key, (stored) -> {
			deleted[0] = stored != null && !stored.expiredAt(now) && Arrays.equals(stored.value(), expected);
			return deleted[0] ? null : stored;
		});
		return deleted[0];
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
	 * {@code maxTtl}, as {@link #capExpiry(String, long, byte[])} does. Durable at the
	 * next {@link #sync}.
	 */
	public TtlOutcome capExpiry(String key, long maxExpireAtMillis, Duration maxTtl, byte[] expected) {
		return capExpiry(key, maxExpireAtMillis, maxTtl, 0, expected);
	}

	/**
	 * Lowers the expiry of a live state that is later than the maximum (as
	 * {@link #capExpiry(String, long, Duration, byte[])} counts it) to the maximum less
	 * {@code belowMaxMillis}, its place in a spread of expiries; an expiry at or below
	 * the maximum is left alone. Durable at the next {@link #sync}.
	 */
	public TtlOutcome capExpiry(String key, long maxExpireAtMillis, Duration maxTtl, long belowMaxMillis,
			byte[] expected) {
		TtlOutcome[] outcome = { TtlOutcome.CHANGED_OR_GONE };
		boolean[] expired = new boolean[1];
		update(key, (stored) -> {
			long now = System.currentTimeMillis();
			long max = (maxTtl != null) ? Math.min(maxExpireAtMillis, now + maxTtl.toMillis()) : maxExpireAtMillis;
			if (stored == null) {
				return null;
			}
			if (stored.expiredAt(now)) {
				expired[0] = true;
				return null;
			}
			if (expected != null && !Arrays.equals(stored.value(), expected)) {
				return stored;
			}
			if (stored.expireAtMillis() > max) {
				outcome[0] = TtlOutcome.CAPPED;
				return new Stored(stored.value(), max - belowMaxMillis);
			}
			outcome[0] = TtlOutcome.UNTOUCHED;
			return stored;
		});
		if (expired[0]) {
			this.expiredRemoved.incrementAndGet();
		}
		return outcome[0];
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

	/** The periodic sweep: never loads (nor claims) a store that was closed meanwhile. */
	private void sweep() {
		if (this.loaded) {
			removeExpired();
		}
	}

	/**
	 * Stops the sweep, writes the files when anything changed, empties the journal and
	 * releases the store for other processes.
	 */
	@Override
	public void destroy() {
		synchronized (this) {
			if (this.sweeper != null) {
				this.sweeper.shutdownNow();
				this.sweeper = null;
			}
			if (!this.loaded) {
				return;
			}
			try {
				this.journal.sync();
				save();
				this.journal.close();
			}
			catch (IOException | RuntimeException ex) {
				// the journal keeps every synced change: the next owner replays it
				logger.error("Could not write the memory store to " + this.file + " (its journal keeps the changes): "
						+ ex.getMessage());
			}
			finally {
				this.entries.clear();
				this.loaded = false;
				this.lock.release();
			}
		}
	}

	/**
	 * Makes every change so far durable: the journal flushed and fsynced. Writers call it
	 * at the end of each chunk, before the chunk commits.
	 */
	public void sync() {
		if (!this.loaded) {
			return;
		}
		this.journal.sync();
		if (this.journal.appended() > this.compactAbove) {
			try {
				save();
			}
			catch (StoreAccessException ex) {
				// the synced journal keeps every change: the chunk stands, the file waits
				logger.warn(ex.getMessage() + " (the journal keeps the changes; trying again later)");
				this.compactAbove = 2 * this.journal.appended();
			}
		}
	}

	/**
	 * Writes the live states to the files atomically, when anything changed, and empties
	 * the journal. Changes wait meanwhile.
	 */
	public synchronized void save() {
		this.compaction.writeLock().lock();
		try {
			if (!this.changed.getAndSet(false)) {
				return;
			}
			try {
				write();
				this.journal.clear();
			}
			catch (IOException ex) {
				this.changed.set(true);
				throw new StoreAccessException("cannot save the memory store to " + this.file + ": " + ex.getMessage(),
						ex);
			}
		}
		finally {
			this.compaction.writeLock().unlock();
		}
	}

	/**
	 * The snapshot of the configured prefix (thread ids without it) and the full keys of
	 * every other prefix, each written to a temporary file, fsynced and renamed over the
	 * last.
	 */
	private void write() throws IOException {
		Path folder = this.file.toAbsolutePath().getParent();
		Files.createDirectories(folder);
		Path temporary = this.file.resolveSibling(FILE_NAME + ".tmp");
		Path otherTemporary = this.otherPrefixesFile.resolveSibling(OTHER_PREFIXES_FILE_NAME + ".tmp");
		long now = System.currentTimeMillis();
		long others = 0;
		try (Output main = new Output(temporary); Output other = new Output(otherTemporary)) {
			for (Map.Entry<String, Stored> entry : this.entries.entrySet()) {
				Stored stored = entry.getValue();
				if (stored.expiredAt(now)) {
					continue;
				}
				String key = entry.getKey();
				String threadId = threadId(key);
				if (threadId != null) {
					main.write(threadId, key, stored);
				}
				else {
					other.write(key, key, stored);
					others++;
				}
			}
			main.sync();
			other.sync();
		}
		Files.move(temporary, this.file, StandardCopyOption.ATOMIC_MOVE);
		if (others > 0) {
			Files.move(otherTemporary, this.otherPrefixesFile, StandardCopyOption.ATOMIC_MOVE);
		}
		else {
			Files.delete(otherTemporary);
			Files.deleteIfExists(this.otherPrefixesFile);
		}
		syncFolder(folder);
		this.compactAbove = Math.max(COMPACT_BYTES, Files.size(this.file));
	}

	/**
	 * The thread id under which the snapshot holds a key: the key without the configured
	 * prefix; {@code null} for a key the snapshot cannot hold (another prefix, the prefix
	 * alone, or an id that starts with the prefix again, which would read as the former
	 * layout).
	 */
	private String threadId(String key) {
		if (this.keyPrefix.isEmpty()) {
			return key.isEmpty() ? null : key;
		}
		if (!key.startsWith(this.keyPrefix) || key.length() == this.keyPrefix.length()) {
			return null;
		}
		String threadId = key.substring(this.keyPrefix.length());
		return threadId.startsWith(this.keyPrefix) ? null : threadId;
	}

	private static void syncFolder(Path folder) {
		try (FileChannel channel = FileChannel.open(folder, StandardOpenOption.READ)) {
			channel.force(true);
		}
		catch (IOException ex) {
			// not every file system lets a folder be synced; the renames are atomic
			// anyway
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
	 * Changes the state under a key: {@code change} gets the current one (or
	 * {@code null}) and returns the new one ({@code null} deletes it, the same one leaves
	 * it), under the key's lock, and the change is journaled; durable at the next
	 * {@link #sync}.
	 * @return the state the key holds now
	 */
	Stored update(String key, UnaryOperator<Stored> change) {
		ensureLoaded();
		Stored after;
		this.compaction.readLock().lock();
		try {
			synchronized (this.stripes[Math.floorMod(key.hashCode(), STRIPES)]) {
				Stored before = this.entries.get(key);
				after = change.apply(before);
				if (after == before) {
					return before;
				}
				if (after == null) {
					this.entries.remove(key);
					this.journal.append(key, null, 0);
				}
				else {
					this.entries.put(key, after);
					this.journal.append(key, after.value(), after.expireAtMillis());
				}
				this.changed.set(true);
			}
		}
		finally {
			this.compaction.readLock().unlock();
		}
		if (this.sweeper == null && after != null) {
			startSweeper();
		}
		return after;
	}

	/**
	 * The keys from {@code prefix} on (or after {@code lastKey}), in order; the caller
	 * stops at the first key past the prefix.
	 */
	NavigableMap<String, Stored> range(String prefix, String lastKey) {
		ensureLoaded();
		return (lastKey != null) ? this.entries.tailMap(lastKey, false) : this.entries.tailMap(prefix, true);
	}

	/**
	 * Removes a state that has expired, unless it was replaced meanwhile; counts it. Not
	 * journaled: an expired state is dropped when the journal is replayed.
	 */
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
			this.sweeper.scheduleWithFixedDelay(this::sweep, SWEEP_SECONDS, SWEEP_SECONDS, TimeUnit.SECONDS);
		}
	}

	private void ensureLoaded() {
		if (!this.loaded) {
			synchronized (this) {
				if (!this.loaded) {
					this.lock.claim();
					try {
						load();
					}
					catch (RuntimeException ex) {
						this.entries.clear();
						this.lock.release();
						throw ex;
					}
					this.loaded = true;
					if (!this.entries.isEmpty()) {
						startSweeper();
					}
					if (this.changed.get()) {
						// a former layout, or changes a crash left in the journal
						save();
					}
				}
			}
		}
	}

	/**
	 * Reads the saved states back, then the journal over them; a bad line costs that
	 * state only, an expired one is dropped.
	 */
	private void load() {
		long now = System.currentTimeMillis();
		boolean[] fullKeys = new boolean[1];
		List<WorkflowEntry> snapshot = read(this.file);
		for (WorkflowEntry entry : snapshot) {
			fullKeys[0] |= !this.keyPrefix.isEmpty() && entry.threadId().startsWith(this.keyPrefix);
		}
		// the former layout held full keys as thread ids: read them as keys, once
		for (WorkflowEntry entry : snapshot) {
			put(fullKeys[0] ? entry.threadId() : this.keyPrefix + entry.threadId(), entry, now);
		}
		for (WorkflowEntry entry : read(this.otherPrefixesFile)) {
			put(entry.threadId(), entry, now);
		}
		this.compactAbove = Math.max(COMPACT_BYTES, fileSize(this.file));
		int[] changes = new int[1];
		int skipped;
		try {
			skipped = this.journal.replay((key, value, expireAt) -> {
				changes[0]++;
				if (value != null && expireAt > now) {
					this.entries.put(key, new Stored(value, expireAt));
				}
				else {
					this.entries.remove(key);
				}
			});
		}
		catch (IOException ex) {
			throw new StoreAccessException(
					"cannot read the journal " + this.journal.file() + " of the memory store: " + ex.getMessage(), ex);
		}
		if (skipped > 0) {
			logger.warn("Skipped " + skipped + " unreadable lines of " + this.journal.file()
					+ " (written as the process ended, never synced)");
		}
		this.changed.set(fullKeys[0] || changes[0] > 0 || skipped > 0);
		logger.info("Loaded " + this.entries.size() + " states from " + this.file
				+ ((changes[0] > 0) ? " and " + changes[0] + " changes from its journal" : "")
				+ (fullKeys[0] ? " (former layout with full keys: rewritten as a snapshot)" : ""));
	}

	private void put(String key, WorkflowEntry entry, long now) {
		if (entry.hasExpiry() && entry.expireAtMillis() > now) {
			this.entries.put(key, new Stored(entry.value(), entry.expireAtMillis()));
		}
	}

	/**
	 * The entries of one file, none when there is no file; a bad line costs that state.
	 */
	private List<WorkflowEntry> read(Path path) {
		List<WorkflowEntry> read = new ArrayList<>();
		if (!Files.exists(path)) {
			return read;
		}
		SnapshotItemReader reader = new SnapshotItemReader("memory-store", path, this.maxRecordSize);
		int rejected = 0;
		reader.open(new ExecutionContext());
		try {
			while (true) {
				try {
					WorkflowEntry entry = reader.read();
					if (entry == null) {
						break;
					}
					read.add(entry);
				}
				catch (RejectedRecordException ex) {
					rejected++;
					logger.warn("Skipping a state of " + path + ": " + ex.getMessage());
				}
			}
		}
		finally {
			reader.close();
		}
		if (rejected > 0) {
			logger.warn(rejected + " unreadable states of " + path + " skipped");
		}
		return read;
	}

	private static long fileSize(Path path) {
		try {
			return Files.exists(path) ? Files.size(path) : 0;
		}
		catch (IOException ex) {
			return 0;
		}
	}

	/** A file being written: JSON Lines, created on the first line. */
	private static final class Output implements AutoCloseable {

		private final Path path;

		private FileChannel channel;

		private OutputStream out;

		Output(Path path) throws IOException {
			this.path = path;
			this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
					StandardOpenOption.TRUNCATE_EXISTING);
			this.out = new BufferedOutputStream(Channels.newOutputStream(this.channel), 64 * 1024);
		}

		void write(String threadId, String key, Stored stored) throws IOException {
			try {
				JsonLinesEncoder.write(this.out, new WorkflowEntry(threadId, stored.value(), stored.expireAtMillis()));
			}
			catch (IllegalArgumentException ex) {
				// Writers refuse such values; one that got in anyway must not cost the
				// whole file.
				logger.error("Cannot save " + key + " to " + this.path + ": " + ex.getMessage());
			}
		}

		void sync() throws IOException {
			this.out.flush();
			this.channel.force(true);
		}

		@Override
		public void close() throws IOException {
			this.out.close();
		}

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
