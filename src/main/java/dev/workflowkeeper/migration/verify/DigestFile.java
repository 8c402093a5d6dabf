package dev.workflowkeeper.migration.verify;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A sorted file of state digests ({@code threadId, SHA-256 of the value, expiry range}),
 * built by an external merge sort so that a keyspace of any size is compared with bounded
 * memory: runs of {@value #RUN_LINES} lines are sorted in memory, written out, then
 * merged.
 */
public final class DigestFile {

	static final int RUN_LINES = 50_000;

	private DigestFile() {
	}

	/**
	 * One state's digest. The expiry range is {@code [expireFrom, expireTo]}, or −1 for
	 * none.
	 */
	public record Digest(String threadId, String sha256, long expireFrom, long expireTo) {

		/** The key the files are sorted by. */
		public String sortKey() {
			return escape(this.threadId);
		}

		String toLine() {
			return sortKey() + '\t' + this.sha256 + '\t' + this.expireFrom + '\t' + this.expireTo;
		}

		static Digest fromLine(String line) {
			String[] parts = line.split("\t", -1);
			return new Digest(unescape(parts[0]), parts[1], Long.parseLong(parts[2]), Long.parseLong(parts[3]));
		}

	}

	/** SHA-256 of a value, in hex. */
	public static String sha256(byte[] value) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** Collects digests in any order and writes them sorted by thread id. */
	public static final class Writer implements AutoCloseable {

		private final Path target;

		private final List<String> buffer = new ArrayList<>();

		private final List<Path> runs = new ArrayList<>();

		private long count;

		public Writer(Path target) {
			this.target = target;
		}

		public void add(Digest digest) {
			this.buffer.add(digest.toLine());
			this.count++;
			if (this.buffer.size() >= RUN_LINES) {
				flushRun();
			}
		}

		public long count() {
			return this.count;
		}

		/** Merges the runs into the target file. */
		public Path finish() {
			try {
				Files.createDirectories(this.target.toAbsolutePath().getParent());
				if (this.runs.isEmpty()) {
					this.buffer.sort(null);
					Path tmp = this.target.resolveSibling(this.target.getFileName() + ".part");
					Files.write(tmp, this.buffer, StandardCharsets.UTF_8);
					this.buffer.clear();
					Files.move(tmp, this.target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
					return this.target;
				}
				flushRun();
				merge();
				return this.target;
			}
			catch (IOException ex) {
				throw new UncheckedIOException("cannot write the digest file " + this.target, ex);
			}
		}

		private void flushRun() {
			if (this.buffer.isEmpty()) {
				return;
			}
			this.buffer.sort(null);
			try {
				Files.createDirectories(this.target.toAbsolutePath().getParent());
				Path run = this.target.resolveSibling(this.target.getFileName() + ".run" + this.runs.size());
				Files.write(run, this.buffer, StandardCharsets.UTF_8);
				this.runs.add(run);
				this.buffer.clear();
			}
			catch (IOException ex) {
				throw new UncheckedIOException("cannot write a digest run beside " + this.target, ex);
			}
		}

		private void merge() throws IOException {
			record Head(String line, int run) {
			}
			List<BufferedReader> readers = new ArrayList<>();
			Path tmp = this.target.resolveSibling(this.target.getFileName() + ".part");
			try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
				PriorityQueue<Head> heads = new PriorityQueue<>((a, b) -> a.line().compareTo(b.line()));
				for (int i = 0; i < this.runs.size(); i++) {
					BufferedReader reader = Files.newBufferedReader(this.runs.get(i), StandardCharsets.UTF_8);
					readers.add(reader);
					String line = reader.readLine();
					if (line != null) {
						heads.add(new Head(line, i));
					}
				}
				while (!heads.isEmpty()) {
					Head head = heads.poll();
					out.write(head.line());
					out.newLine();
					String next = readers.get(head.run()).readLine();
					if (next != null) {
						heads.add(new Head(next, head.run()));
					}
				}
			}
			finally {
				for (BufferedReader reader : readers) {
					reader.close();
				}
				for (Path run : this.runs) {
					Files.deleteIfExists(run);
				}
			}
			Files.move(tmp, this.target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}

		@Override
		public void close() {
			for (Path run : this.runs) {
				try {
					Files.deleteIfExists(run);
				}
				catch (IOException ex) {
					// best effort: a leftover run is only disk space under data/
				}
			}
		}

	}

	/**
	 * Reads a sorted digest file in order; {@link #peek()} shows the next digest without
	 * taking it.
	 */
	public static final class Reader implements AutoCloseable {

		private final BufferedReader reader;

		private Digest next;

		public Reader(Path file) {
			try {
				this.reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
				advance();
			}
			catch (IOException ex) {
				throw new UncheckedIOException("cannot read the digest file " + file, ex);
			}
		}

		/** An empty reader, for a side that has nothing. */
		public static Reader empty() {
			return new Reader();
		}

		private Reader() {
			this.reader = null;
			this.next = null;
		}

		public Digest peek() {
			return this.next;
		}

		public Digest take() {
			Digest current = this.next;
			advance();
			return current;
		}

		private void advance() {
			if (this.reader == null) {
				return;
			}
			try {
				String line = this.reader.readLine();
				this.next = (line != null) ? Digest.fromLine(line) : null;
			}
			catch (IOException ex) {
				throw new UncheckedIOException(ex);
			}
		}

		@Override
		public void close() {
			if (this.reader != null) {
				try {
					this.reader.close();
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			}
		}

	}

	/**
	 * Escapes a key so that it holds no character below a tab: the sorted lines are then
	 * in the order of their escaped keys, which is the order the comparison walks in.
	 */
	static String escape(String key) {
		StringBuilder out = new StringBuilder(key.length() + 8);
		for (int i = 0; i < key.length(); i++) {
			char c = key.charAt(i);
			if (c == '\\') {
				out.append("\\\\");
			}
			else if (c < 0x20) {
				out.append(String.format("\\u%04x", (int) c));
			}
			else {
				out.append(c);
			}
		}
		return out.toString();
	}

	static String unescape(String key) {
		StringBuilder out = new StringBuilder(key.length());
		for (int i = 0; i < key.length(); i++) {
			char c = key.charAt(i);
			if (c == '\\' && i + 1 < key.length()) {
				char n = key.charAt(++i);
				if (n == 'u' && i + 4 < key.length()) {
					out.append((char) Integer.parseInt(key.substring(i + 1, i + 5), 16));
					i += 4;
				}
				else {
					out.append(n);
				}
			}
			else {
				out.append(c);
			}
		}
		return out.toString();
	}

}
