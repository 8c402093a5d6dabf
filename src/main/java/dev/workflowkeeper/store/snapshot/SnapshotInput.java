package dev.workflowkeeper.store.snapshot;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

import dev.workflowkeeper.store.StoreAccessException;

/**
 * The uncompressed bytes of a snapshot file, one at a time, with the byte offset and line
 * number of the next byte. Gzip is recognised by its magic bytes, whatever the file is
 * called. A compressed stream that ends early or is damaged reads as an early end of
 * input and sets {@link #damaged()}: the splitters fail the read there.
 * <p>
 * Not thread-safe.
 */
final class SnapshotInput implements Closeable {

	private static final int BUFFER_SIZE = 64 * 1024;

	private final Path path;

	private final CountingInputStream raw;

	private final InputStream in;

	private final boolean gzip;

	private final byte[] buffer = new byte[BUFFER_SIZE];

	private int position;

	private int limit;

	private long offset;

	private long line = 1;

	private boolean eof;

	private boolean damaged;

	/**
	 * CRC-32 of the bytes before {@link #checked} in the buffer, and of all before it.
	 */
	private final CRC32 checksum = new CRC32();

	private int checked;

	private SnapshotInput(Path path, CountingInputStream raw, InputStream in, boolean gzip) {
		this.path = path;
		this.raw = raw;
		this.in = in;
		this.gzip = gzip;
	}

	/**
	 * Opens a snapshot file.
	 * @throws StoreAccessException when the file does not exist or cannot be read
	 */
	static SnapshotInput open(Path path) {
		InputStream file = null;
		try {
			file = Files.newInputStream(path);
			CountingInputStream raw = new CountingInputStream(file);
			BufferedInputStream buffered = new BufferedInputStream(raw, BUFFER_SIZE);
			buffered.mark(2);
			boolean gzip = buffered.read() == 0x1f && buffered.read() == 0x8b;
			buffered.reset();
			InputStream in = gzip ? new GZIPInputStream(buffered, BUFFER_SIZE) : buffered;
			return new SnapshotInput(path, raw, in, gzip);
		}
		catch (NoSuchFileException ex) {
			closeQuietly(file);
			throw new StoreAccessException("snapshot file " + path + " does not exist: check the path");
		}
		catch (EOFException | ZipException ex) {
			// a gzip header cut short: there is nothing to read
			closeQuietly(file);
			throw new StoreAccessException(
					"snapshot file " + path + " is not a readable gzip file: " + ex.getMessage());
		}
		catch (IOException ex) {
			closeQuietly(file);
			throw new StoreAccessException("snapshot file " + path + " cannot be read: " + ex.getMessage(), ex);
		}
	}

	/** The next byte (0–255), or -1 at the end of input. */
	int read() {
		if (this.position == this.limit && !fill()) {
			return -1;
		}
		byte b = this.buffer[this.position++];
		this.offset++;
		if (b == '\n') {
			this.line++;
		}
		return b & 0xff;
	}

	/** The next byte without consuming it, or -1 at the end of input. */
	int peek() {
		if (this.position == this.limit && !fill()) {
			return -1;
		}
		return this.buffer[this.position] & 0xff;
	}

	/**
	 * Moves past the bytes before the next quote, backslash or newline (or the end of
	 * input), appending them to {@code record}: the content of a JSON string, in bulk.
	 */
	void copyStringRun(RecordBuffer record) {
		while (this.position < this.limit || fill()) {
			int start = this.position;
			int end = ByteScan.quoteBackslashOrNewline(this.buffer, start, this.limit);
			record.append(this.buffer, start, end - start);
			this.offset += end - start;
			this.position = end;
			if (end < this.limit) {
				return;
			}
		}
	}

	/**
	 * CRC-32 of the uncompressed bytes consumed so far: a restart tells by it that the
	 * part of the file it skips is the one the interrupted run read.
	 */
	long checksum() {
		this.checksum.update(this.buffer, this.checked, this.position - this.checked);
		this.checked = this.position;
		return this.checksum.getValue();
	}

	/** Offset in the uncompressed stream of the next byte. */
	long offset() {
		return this.offset;
	}

	/** Line number (1-based) of the next byte. */
	long line() {
		return this.line;
	}

	/**
	 * Whether the compressed stream ended early or was damaged: the file is truncated.
	 */
	boolean damaged() {
		return this.damaged;
	}

	boolean gzip() {
		return this.gzip;
	}

	/**
	 * Bytes read from the file itself so far (compressed bytes for gzip); for estimates.
	 */
	long rawBytesRead() {
		return this.raw.count;
	}

	private boolean fill() {
		if (this.eof) {
			return false;
		}
		this.checksum.update(this.buffer, this.checked, this.limit - this.checked);
		this.checked = 0;
		try {
			int n;
			do {
				n = this.in.read(this.buffer, 0, this.buffer.length);
			}
			while (n == 0);
			if (n < 0) {
				this.eof = true;
				this.position = 0;
				this.limit = 0;
				return false;
			}
			this.position = 0;
			this.limit = n;
			return true;
		}
		catch (EOFException | ZipException ex) {
			this.eof = true;
			this.damaged = true;
			this.position = 0;
			this.limit = 0;
			return false;
		}
		catch (IOException ex) {
			throw new StoreAccessException("snapshot file " + this.path + " cannot be read: " + ex.getMessage(), ex);
		}
	}

	@Override
	public void close() {
		closeQuietly(this.in);
	}

	private static void closeQuietly(InputStream in) {
		if (in != null) {
			try {
				in.close();
			}
			catch (IOException ex) {
				// nothing was written: a failed close loses nothing
			}
		}
	}

	/** Counts the bytes taken from the file. */
	private static final class CountingInputStream extends FilterInputStream {

		private long count;

		CountingInputStream(InputStream in) {
			super(in);
		}

		@Override
		public int read() throws IOException {
			int b = super.read();
			if (b >= 0) {
				this.count++;
			}
			return b;
		}

		@Override
		public int read(byte[] b, int off, int len) throws IOException {
			int n = super.read(b, off, len);
			if (n > 0) {
				this.count += n;
			}
			return n;
		}

	}

}
