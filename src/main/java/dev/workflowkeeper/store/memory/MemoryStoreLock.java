package dev.workflowkeeper.store.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreInUseException;

/**
 * The ownership of the memory store's files by one process at a time: an OS lock on
 * {@code memory-store.lock} beside them, held from the first use of the store until it is
 * closed. The lock file names its owner (pid, command, since when) for the refusal that
 * another process gets; the operating system releases the lock of a process that dies, so
 * a crashed owner never blocks the next one.
 * <p>
 * Not thread-safe: the store claims and releases it under its own lock.
 */
final class MemoryStoreLock {

	static final String FILE_NAME = "memory-store.lock";

	private static final DateTimeFormatter SINCE = DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss 'UTC'")
		.withZone(ZoneOffset.UTC);

	private final Path file;

	private final Path dataFile;

	private FileChannel channel;

	private FileLock lock;

	MemoryStoreLock(Path dataFile) {
		this.dataFile = dataFile;
		this.file = dataFile.resolveSibling(FILE_NAME);
	}

	/**
	 * Takes the lock, or refuses naming the process that holds it.
	 * @throws StoreInUseException when another process (or another store of this one)
	 * holds it
	 * @throws StoreAccessException when the lock file cannot be created
	 */
	void claim() {
		if (this.lock != null) {
			return;
		}
		FileChannel opened = null;
		try {
			Path parent = this.file.toAbsolutePath().getParent();
			Files.createDirectories(parent);
			opened = FileChannel.open(this.file, StandardOpenOption.CREATE, StandardOpenOption.READ,
					StandardOpenOption.WRITE);
			FileLock taken;
			try {
				taken = opened.tryLock();
			}
			catch (OverlappingFileLockException ex) {
				taken = null;
			}
			if (taken == null) {
				String owner = owner(opened);
				opened.close();
				opened = null;
				throw refusal(owner);
			}
			byte[] owner = describe(ProcessHandle.current().pid(), command(), Instant.now())
				.getBytes(StandardCharsets.UTF_8);
			opened.truncate(0);
			opened.write(ByteBuffer.wrap(owner), 0);
			opened.force(true);
			this.channel = opened;
			this.lock = taken;
			opened = null;
		}
		catch (IOException ex) {
			throw new StoreAccessException(
					"cannot lock the memory store " + this.dataFile + " (" + this.file + "): " + ex.getMessage(), ex);
		}
		finally {
			if (opened != null) {
				try {
					opened.close();
				}
				catch (IOException ex) {
					// the claim failed already; closing the channel releases whatever it
					// held
				}
			}
		}
	}

	/** Releases the lock; the file stays, the next owner overwrites it. */
	void release() {
		if (this.lock == null) {
			return;
		}
		try {
			this.channel.truncate(0);
			this.lock.release();
			this.channel.close();
		}
		catch (IOException ex) {
			// closing the channel (or the process ending) releases the lock anyway
		}
		finally {
			this.lock = null;
			this.channel = null;
		}
	}

	boolean held() {
		return this.lock != null;
	}

	private StoreInUseException refusal(String owner) {
		String advice = (owner.contains("(serve,") || owner.contains("(serve)"))
				? "launch the job over HTTP on that worker (POST /actuator/workflowjobs/{job} or the dashboard), or stop it first"
				: "wait for it to end, or stop it first";
		return new StoreInUseException(
				"the memory store " + this.dataFile + " is in use by " + owner + ": one process at a time; " + advice);
	}

	/** What the lock file says of its owner, as written by {@link #describe}. */
	private static String owner(FileChannel channel) throws IOException {
		ByteBuffer buffer = ByteBuffer.allocate(512);
		channel.read(buffer, 0);
		String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).strip();
		return text.isEmpty() ? "another process" : text;
	}

	static String describe(long pid, String command, Instant since) {
		return "pid " + pid + " (" + command + ", since " + SINCE.format(since.truncatedTo(ChronoUnit.SECONDS)) + ")";
	}

	/**
	 * The command this process runs: its first argument after the main class or jar, as
	 * {@code serve} when none (the default command). Only the command's name: its options
	 * may hold a password.
	 */
	static String command() {
		String line = System.getProperty("sun.java.command", "");
		String[] words = line.strip().split("\\s+");
		for (int i = 1; i < words.length; i++) {
			if (!words[i].startsWith("-")) {
				return words[i].replaceAll("[^A-Za-z0-9-]", "");
			}
		}
		return (words.length > 1) ? "workflow-keeper" : "serve";
	}

}
