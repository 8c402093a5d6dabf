package dev.workflowkeeper.purge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;

import dev.workflowkeeper.store.StoreAccessException;

/**
 * An archive the purge appends JSON lines to, durable chunk by chunk: {@link #append}
 * writes a chunk's lines and forces them to disk before it returns, so a state is deleted
 * only once its record would survive a crash. A name ending in {@code .gz} gets one
 * complete gzip member per chunk: the file is a valid gzip stream after every chunk,
 * which {@code gzip -d} and {@code GZIPInputStream} read as one; otherwise the lines are
 * plain.
 * <p>
 * Restartable without loss: {@link #open} never cuts off a complete record, not even one
 * past the last committed position (its state may be deleted already); it returns those
 * records for the caller to account for. Only a torn tail — a member or line the crash
 * cut short, whose states were therefore never deleted — is moved aside to
 * {@code <file>.torn-<offset>}, so that lines appended later stay readable. Not
 * thread-safe.
 */
final class ArchiveFile {

	private static final int GZIP_HEADER = 10;

	private static final int GZIP_TRAILER = 8;

	private final Path file;

	private final boolean gzip;

	private FileChannel channel;

	private long records;

	ArchiveFile(Path file) {
		this.file = file;
		this.gzip = file.getFileName().toString().endsWith(".gz");
	}

	Path file() {
		return this.file;
	}

	/** Complete records in the file. */
	long records() {
		return this.records;
	}

	/** The end of the last complete chunk: where the next one goes. */
	long position() {
		try {
			return (this.channel != null) ? this.channel.position() : 0;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Opens the file at the end of its last complete chunk.
	 * @param committedOffset where the last committed chunk ended (0 for none)
	 * @param committedRecords the records up to there
	 * @return what the file holds past the committed position
	 * @throws StoreAccessException when the file is shorter than the committed position
	 */
	Recovery open(long committedOffset, long committedRecords) {
		return open(committedOffset, committedRecords, Instant.MIN);
	}

	/**
	 * Opens the file at the end of its last complete chunk; a file this run cannot have
	 * written (nothing committed, and last modified before {@code runStarted}: left by an
	 * earlier history whose instance numbers are used again) is moved aside to
	 * {@code <file>.earlier-<millis>} and a new one begun.
	 * @param runStarted when the first execution of this run was created
	 */
	Recovery open(long committedOffset, long committedRecords, Instant runStarted) {
		try {
			Files.createDirectories(this.file.toAbsolutePath().getParent());
			Path earlier = null;
			if (committedOffset == 0 && Files.isRegularFile(this.file) && Files.size(this.file) > 0
					&& Files.getLastModifiedTime(this.file).toInstant().isBefore(runStarted)) {
				earlier = this.file.resolveSibling(
						this.file.getFileName() + ".earlier-" + Files.getLastModifiedTime(this.file).toMillis());
				Files.move(this.file, earlier);
			}
			this.channel = FileChannel.open(this.file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
					StandardOpenOption.READ);
			long size = this.channel.size();
			if (size < committedOffset) {
				this.channel.close();
				this.channel = null;
				throw new StoreAccessException(
						"the purge archive " + this.file + " holds " + size + " bytes, less than the " + committedOffset
								+ " its run committed: records are missing; put the archive back before resuming");
			}
			byte[] tail = new byte[(int) (size - committedOffset)];
			ByteBuffer buffer = ByteBuffer.wrap(tail);
			while (buffer.hasRemaining() && this.channel.read(buffer, committedOffset + buffer.position()) >= 0) {
				// read the whole tail
			}
			List<String> lines = new ArrayList<>();
			int complete = this.gzip ? readMembers(tail, lines) : readLines(tail, lines);
			Path torn = null;
			if (complete < tail.length) {
				torn = this.file.resolveSibling(this.file.getFileName() + ".torn-" + (committedOffset + complete));
				Files.write(torn, Arrays.copyOfRange(tail, complete, tail.length));
				this.channel.truncate(committedOffset + complete);
				this.channel.force(false);
			}
			this.channel.position(committedOffset + complete);
			this.records = committedRecords + lines.size();
			return new Recovery(lines, torn, tail.length - complete, earlier);
		}
		catch (IOException ex) {
			throw new StoreAccessException("cannot open the purge archive " + this.file + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * Appends one chunk's lines (each without its line break) and forces them to disk.
	 */
	void append(List<String> lines) {
		if (lines.isEmpty()) {
			return;
		}
		try {
			ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 * 1024);
			if (this.gzip) {
				try (GZIPOutputStream member = new GZIPOutputStream(bytes, 8 * 1024)) {
					writeLines(member, lines);
				}
			}
			else {
				writeLines(bytes, lines);
			}
			ByteBuffer buffer = ByteBuffer.wrap(bytes.toByteArray());
			while (buffer.hasRemaining()) {
				this.channel.write(buffer);
			}
			this.channel.force(false);
			this.records += lines.size();
		}
		catch (IOException ex) {
			throw new StoreAccessException("cannot write the purge archive " + this.file + ": " + ex.getMessage()
					+ "; nothing of this chunk was deleted", ex);
		}
	}

	/** Closes the file; an empty one is removed. */
	void close() {
		try {
			if (this.channel != null) {
				boolean empty = this.channel.size() == 0;
				this.channel.close();
				this.channel = null;
				if (empty) {
					Files.deleteIfExists(this.file);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void writeLines(OutputStream out, List<String> lines) throws IOException {
		for (String line : lines) {
			out.write(line.getBytes(StandardCharsets.UTF_8));
			out.write('\n');
		}
	}

	/** The length of the complete lines at the start of {@code bytes}. */
	private static int readLines(byte[] bytes, List<String> lines) {
		int start = 0;
		for (int i = 0; i < bytes.length; i++) {
			if (bytes[i] == '\n') {
				lines.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
				start = i + 1;
			}
		}
		return start;
	}

	/**
	 * The length of the complete gzip members (as {@link #append} writes them: no
	 * optional header fields) at the start of {@code bytes}.
	 */
	private static int readMembers(byte[] bytes, List<String> lines) {
		int start = 0;
		while (start < bytes.length) {
			int end = memberEnd(bytes, start, lines);
			if (end < 0) {
				break;
			}
			start = end;
		}
		return start;
	}

	private static int memberEnd(byte[] bytes, int start, List<String> lines) {
		if (bytes.length - start < GZIP_HEADER + GZIP_TRAILER || (bytes[start] & 0xff) != 0x1f
				|| (bytes[start + 1] & 0xff) != 0x8b || bytes[start + 3] != 0) {
			return -1;
		}
		Inflater inflater = new Inflater(true);
		try {
			inflater.setInput(bytes, start + GZIP_HEADER, bytes.length - start - GZIP_HEADER);
			ByteArrayOutputStream out = new ByteArrayOutputStream();
			byte[] buffer = new byte[16 * 1024];
			while (!inflater.finished()) {
				int n = inflater.inflate(buffer);
				if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
					return -1;
				}
				out.write(buffer, 0, n);
			}
			int end = bytes.length - inflater.getRemaining() + GZIP_TRAILER;
			if (end > bytes.length) {
				return -1;
			}
			byte[] content = out.toByteArray();
			CRC32 crc = new CRC32();
			crc.update(content);
			if (littleEndianInt(bytes, end - 8) != (int) crc.getValue()
					|| littleEndianInt(bytes, end - 4) != content.length) {
				return -1;
			}
			List<String> memberLines = new ArrayList<>();
			if (readLines(content, memberLines) != content.length) {
				return -1;
			}
			lines.addAll(memberLines);
			return end;
		}
		catch (DataFormatException ex) {
			return -1;
		}
		finally {
			inflater.end();
		}
	}

	private static int littleEndianInt(byte[] bytes, int at) {
		return (bytes[at] & 0xff) | (bytes[at + 1] & 0xff) << 8 | (bytes[at + 2] & 0xff) << 16
				| (bytes[at + 3] & 0xff) << 24;
	}

	/**
	 * What {@link #open} found past the committed position.
	 *
	 * @param lines the complete records there, kept in the file
	 * @param torn where a torn tail was moved, or {@code null} when there was none
	 * @param tornBytes the length of that tail
	 * @param earlier where a file of an earlier history was moved, or {@code null}
	 */
	record Recovery(List<String> lines, Path torn, long tornBytes, Path earlier) {
	}

}
