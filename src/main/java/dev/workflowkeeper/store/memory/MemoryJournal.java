package dev.workflowkeeper.store.memory;

import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Base64;
import java.util.zip.CRC32;

import dev.workflowkeeper.store.StoreAccessException;

/**
 * The memory store's changes since its file was last written,
 * {@code memory-store.journal}: one line per change, the key's new state or its deletion,
 * appended as it happens and made durable (flushed and fsynced) by {@link #sync} at every
 * chunk commit. Loading replays it over the file, the last line of a key wins; writing
 * the file empties it.
 * <p>
 * A line is {@code crc32 key expireAt value}, key and value in Base64, a deletion with
 * {@code -} for the value; a line whose checksum does not match (a write torn by a crash
 * before it was synced) is skipped.
 * <p>
 * Thread-safe.
 */
final class MemoryJournal implements AutoCloseable {

	static final String FILE_NAME = "memory-store.journal";

	private static final byte[] DELETED = { '-' };

	private final Path file;

	private FileChannel channel;

	private OutputStream out;

	private boolean pending;

	private long appended;

	MemoryJournal(Path dataFile) {
		this.file = dataFile.resolveSibling(FILE_NAME);
	}

	Path file() {
		return this.file;
	}

	/** What a replay finds. */
	interface Replay {

		/** A key's state, or its deletion ({@code value} null). */
		void change(String key, byte[] value, long expireAtMillis);

	}

	/**
	 * Replays the journal in order.
	 * @return how many lines were skipped as unreadable
	 */
	int replay(Replay replay) throws IOException {
		if (!Files.exists(this.file)) {
			return 0;
		}
		int skipped = 0;
		Base64.Decoder decoder = Base64.getDecoder();
		try (BufferedReader reader = new BufferedReader(
				new InputStreamReader(Files.newInputStream(this.file), StandardCharsets.US_ASCII), 64 * 1024)) {
			String line;
			while ((line = reader.readLine()) != null) {
				String[] fields = line.split(" ", -1);
				if (fields.length != 4
						|| !fields[0].equals(crc(ascii(fields[1]), ascii(fields[2]), ascii(fields[3])))) {
					skipped++;
					continue;
				}
				try {
					String key = new String(decoder.decode(fields[1]), StandardCharsets.UTF_8);
					long expireAt = Long.parseLong(fields[2]);
					byte[] value = fields[3].equals("-") ? null : decoder.decode(fields[3]);
					replay.change(key, value, expireAt);
				}
				catch (IllegalArgumentException ex) {
					skipped++;
				}
			}
		}
		return skipped;
	}

	/**
	 * Appends a key's new state, or its deletion ({@code value} null); durable after the
	 * next {@link #sync}.
	 */
	synchronized void append(String key, byte[] value, long expireAtMillis) {
		try {
			if (this.out == null) {
				this.channel = FileChannel.open(this.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
						StandardOpenOption.APPEND);
				this.out = new BufferedOutputStream(Channels.newOutputStream(this.channel), 256 * 1024);
			}
			Base64.Encoder encoder = Base64.getEncoder();
			byte[] encodedKey = encoder.encode(key.getBytes(StandardCharsets.UTF_8));
			byte[] expiry = ascii(Long.toString(expireAtMillis));
			byte[] encodedValue = (value != null) ? encoder.encode(value) : DELETED;
			this.out.write(ascii(crc(encodedKey, expiry, encodedValue)));
			this.out.write(' ');
			this.out.write(encodedKey);
			this.out.write(' ');
			this.out.write(expiry);
			this.out.write(' ');
			this.out.write(encodedValue);
			this.out.write('\n');
			this.appended += 4 + encodedKey.length + expiry.length + encodedValue.length + 8;
			this.pending = true;
		}
		catch (IOException ex) {
			throw failure("cannot append to", ex);
		}
	}

	/** Makes every change appended so far durable: flushed and fsynced. */
	synchronized void sync() {
		if (!this.pending) {
			return;
		}
		try {
			this.out.flush();
			this.channel.force(false);
			this.pending = false;
		}
		catch (IOException ex) {
			throw failure("cannot sync", ex);
		}
	}

	/** Empties the journal once the file holds every change. */
	synchronized void clear() throws IOException {
		close();
		Files.deleteIfExists(this.file);
		this.appended = 0;
	}

	/** About how many bytes were appended since the journal was last emptied. */
	synchronized long appended() {
		return this.appended;
	}

	@Override
	public synchronized void close() throws IOException {
		if (this.out != null) {
			try {
				sync();
				this.out.close();
			}
			finally {
				this.out = null;
				this.channel = null;
			}
		}
	}

	private StoreAccessException failure(String what, IOException ex) {
		return new StoreAccessException(
				"the memory store " + what + " its journal " + this.file + ": " + ex.getMessage(), ex);
	}

	private static String crc(byte[] key, byte[] expiry, byte[] value) {
		CRC32 crc = new CRC32();
		crc.update(key);
		crc.update(' ');
		crc.update(expiry);
		crc.update(' ');
		crc.update(value);
		return Long.toHexString(crc.getValue());
	}

	private static byte[] ascii(String text) {
		return text.getBytes(StandardCharsets.US_ASCII);
	}

}
