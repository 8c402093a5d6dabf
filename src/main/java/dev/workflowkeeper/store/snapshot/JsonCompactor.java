package dev.workflowkeeper.store.snapshot;

import java.util.Arrays;

/**
 * Compacts one JSON object in a single pass over its bytes, with the same result as
 * {@link SnapshotJson#compactObject} (Jackson's parser into its generator), at a fraction
 * of the cost: whitespace outside strings is dropped, numbers and literals keep their
 * text, strings without escapes are copied as they are, and escapes are written as the
 * generator writes them (the short forms {@code \" \\ \b \f \n \r \t}, other control
 * characters and unpaired surrogates as {@code \}{@code uXXXX}, everything else as raw
 * UTF-8).
 * <p>
 * The input must already be known to be well-formed JSON (Jackson's parser read it) and
 * valid UTF-8 ({@link Utf8}): this class checks neither. Not thread-safe: it reuses one
 * buffer.
 */
final class JsonCompactor {

	private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

	private byte[] out = new byte[8 * 1024];

	private byte[] in;

	private int read;

	private int written;

	/**
	 * Compacts the object that starts at {@code start}, no further than {@code end}.
	 * @return the compact object
	 */
	byte[] compactObject(byte[] json, int start, int end) {
		// the compact form is never longer than the original
		if (this.out.length < end - start) {
			this.out = new byte[Math.max(end - start, this.out.length * 2)];
		}
		this.in = json;
		this.read = start;
		this.written = 0;
		byte[] out = this.out;
		int depth = 0;
		do {
			byte b = json[this.read++];
			switch (b) {
				case ' ', '\t', '\n', '\r' -> {
				}
				case '"' -> {
					out[this.written++] = b;
					copyString();
				}
				case '{', '[' -> {
					depth++;
					out[this.written++] = b;
				}
				case '}', ']' -> {
					depth--;
					out[this.written++] = b;
				}
				default -> out[this.written++] = b;
			}
		}
		while (depth > 0);
		this.in = null;
		return Arrays.copyOf(out, this.written);
	}

	/**
	 * Copies a string's content and closing quote; the opening quote is already written.
	 */
	private void copyString() {
		byte[] in = this.in;
		while (true) {
			int runStart = this.read;
			int i = ByteScan.quoteOrBackslash(in, runStart, in.length);
			byte b = in[i];
			int run = i - runStart;
			System.arraycopy(in, runStart, this.out, this.written, run);
			this.written += run;
			if (b == '"') {
				this.out[this.written++] = '"';
				this.read = i + 1;
				return;
			}
			this.read = i;
			copyEscape();
		}
	}

	/** Copies the escape at {@link #read} as Jackson's generator writes its character. */
	private void copyEscape() {
		byte[] in = this.in;
		byte kind = in[this.read + 1];
		if (kind != 'u') {
			this.read += 2;
			switch (kind) {
				case '/' -> put('/');
				default -> {
					// \" \\ \b \f \n \r \t keep their short form
					put('\\');
					put(kind);
				}
			}
			return;
		}
		int c = hex4(this.read + 2);
		this.read += 6;
		if (Character.isHighSurrogate((char) c) && this.read + 5 < in.length && in[this.read] == '\\'
				&& in[this.read + 1] == 'u') {
			int low = hex4(this.read + 2);
			if (Character.isLowSurrogate((char) low)) {
				this.read += 6;
				int codePoint = Character.toCodePoint((char) c, (char) low);
				put(0xf0 | (codePoint >> 18));
				put(0x80 | ((codePoint >> 12) & 0x3f));
				put(0x80 | ((codePoint >> 6) & 0x3f));
				put(0x80 | (codePoint & 0x3f));
				return;
			}
		}
		writeChar(c);
	}

	private void writeChar(int c) {
		if (c < 0x20) {
			switch (c) {
				case '\b' -> shortEscape('b');
				case '\t' -> shortEscape('t');
				case '\n' -> shortEscape('n');
				case '\f' -> shortEscape('f');
				case '\r' -> shortEscape('r');
				default -> unicodeEscape(c);
			}
		}
		else if (c == '"' || c == '\\') {
			shortEscape(c);
		}
		else if (c < 0x80) {
			put(c);
		}
		else if (c < 0x800) {
			put(0xc0 | (c >> 6));
			put(0x80 | (c & 0x3f));
		}
		else if (Character.isSurrogate((char) c)) {
			// an unpaired surrogate has no UTF-8 form: the generator escapes it
			unicodeEscape(c);
		}
		else {
			put(0xe0 | (c >> 12));
			put(0x80 | ((c >> 6) & 0x3f));
			put(0x80 | (c & 0x3f));
		}
	}

	private void shortEscape(int c) {
		put('\\');
		put(c);
	}

	private void unicodeEscape(int c) {
		put('\\');
		put('u');
		put(HEX[(c >> 12) & 0xf]);
		put(HEX[(c >> 8) & 0xf]);
		put(HEX[(c >> 4) & 0xf]);
		put(HEX[c & 0xf]);
	}

	private int hex4(int at) {
		return (Character.digit(this.in[at], 16) << 12) | (Character.digit(this.in[at + 1], 16) << 8)
				| (Character.digit(this.in[at + 2], 16) << 4) | Character.digit(this.in[at + 3], 16);
	}

	private void put(int b) {
		this.out[this.written++] = (byte) b;
	}

}
