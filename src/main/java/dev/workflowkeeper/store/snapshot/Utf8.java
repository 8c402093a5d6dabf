package dev.workflowkeeper.store.snapshot;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Strict UTF-8 validation on bytes, as strict as the JDK's decoder with {@code REPORT}:
 * overlong forms, surrogates, code points past U+10FFFF, stray continuation bytes and
 * truncated sequences are all invalid. Runs of ASCII are checked eight bytes at a time.
 */
final class Utf8 {

	private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

	private static final long HIGH_BITS = 0x8080808080808080L;

	private Utf8() {
	}

	/**
	 * The index of the first byte of the first invalid sequence in
	 * {@code bytes[from, to)}, the index the JDK's decoder reports; -1 when all of it is
	 * valid.
	 */
	static int firstInvalid(byte[] bytes, int from, int to) {
		int i = from;
		while (i < to) {
			if (i + 8 <= to && (((long) LONGS.get(bytes, i)) & HIGH_BITS) == 0) {
				i += 8;
				continue;
			}
			int b = bytes[i];
			if (b >= 0) {
				i++;
				continue;
			}
			int length = sequenceLength(bytes, i, to);
			if (length == 0) {
				return i;
			}
			i += length;
		}
		return -1;
	}

	/**
	 * The length of the valid multi-byte sequence at {@code i}, or 0 when it is invalid.
	 */
	private static int sequenceLength(byte[] bytes, int i, int to) {
		int lead = bytes[i] & 0xff;
		if (lead < 0xc2) {
			// a continuation byte without its lead, or an overlong two-byte form (C0, C1)
			return 0;
		}
		if (lead < 0xe0) {
			return (i + 1 < to && continuation(bytes[i + 1])) ? 2 : 0;
		}
		if (lead < 0xf0) {
			if (i + 2 >= to) {
				return 0;
			}
			int second = bytes[i + 1] & 0xff;
			// E0 needs A0..BF (no overlong), ED needs 80..9F (no surrogate)
			int min = (lead == 0xe0) ? 0xa0 : 0x80;
			int max = (lead == 0xed) ? 0x9f : 0xbf;
			return (second >= min && second <= max && continuation(bytes[i + 2])) ? 3 : 0;
		}
		if (lead < 0xf5) {
			if (i + 3 >= to) {
				return 0;
			}
			int second = bytes[i + 1] & 0xff;
			// F0 needs 90..BF (no overlong), F4 needs 80..8F (nothing past U+10FFFF)
			int min = (lead == 0xf0) ? 0x90 : 0x80;
			int max = (lead == 0xf4) ? 0x8f : 0xbf;
			return (second >= min && second <= max && continuation(bytes[i + 2]) && continuation(bytes[i + 3])) ? 4 : 0;
		}
		return 0;
	}

	private static boolean continuation(byte b) {
		return (b & 0xc0) == 0x80;
	}

}
