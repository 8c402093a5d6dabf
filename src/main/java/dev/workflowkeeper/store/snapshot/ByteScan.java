package dev.workflowkeeper.store.snapshot;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds the next structural byte of a JSON string (a quote, a backslash, a newline) eight
 * bytes at a time: the bulk of a state is string content, which the splitter and the
 * compactor only pass over.
 */
final class ByteScan {

	private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

	private static final long ONES = 0x0101010101010101L;

	private static final long HIGH_BITS = 0x8080808080808080L;

	private static final long QUOTES = ONES * '"';

	private static final long BACKSLASHES = ONES * '\\';

	private static final long NEWLINES = ONES * '\n';

	private ByteScan() {
	}

	/**
	 * The index of the first quote or backslash in {@code bytes[from, to)}, or
	 * {@code to}.
	 */
	static int quoteOrBackslash(byte[] bytes, int from, int to) {
		int i = from;
		while (i + 8 <= to) {
			long word = (long) LONGS.get(bytes, i);
			if ((hasZeroByte(word ^ QUOTES) | hasZeroByte(word ^ BACKSLASHES)) != 0) {
				break;
			}
			i += 8;
		}
		while (i < to && bytes[i] != '"' && bytes[i] != '\\') {
			i++;
		}
		return i;
	}

	/**
	 * The index of the first quote, backslash or newline in {@code bytes[from, to)}, or
	 * {@code to}.
	 */
	static int quoteBackslashOrNewline(byte[] bytes, int from, int to) {
		int i = from;
		while (i + 8 <= to) {
			long word = (long) LONGS.get(bytes, i);
			if ((hasZeroByte(word ^ QUOTES) | hasZeroByte(word ^ BACKSLASHES) | hasZeroByte(word ^ NEWLINES)) != 0) {
				break;
			}
			i += 8;
		}
		while (i < to && bytes[i] != '"' && bytes[i] != '\\' && bytes[i] != '\n') {
			i++;
		}
		return i;
	}

	/**
	 * Non-zero when some byte of the word is zero (the classic test: exact on whether,
	 * not on where).
	 */
	private static long hasZeroByte(long word) {
		return (word - ONES) & ~word & HIGH_BITS;
	}

}
