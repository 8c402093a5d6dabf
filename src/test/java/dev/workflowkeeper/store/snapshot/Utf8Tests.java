package dev.workflowkeeper.store.snapshot;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class Utf8Tests {

	/**
	 * Bytes at the edges of every UTF-8 rule: ASCII, continuations, overlong and
	 * surrogate leads, the top.
	 */
	private static final int[] EDGES = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf,
			0xe0, 0xe1, 0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff };

	private final CharsetDecoder jdk = StandardCharsets.UTF_8.newDecoder()
		.onMalformedInput(CodingErrorAction.REPORT)
		.onUnmappableCharacter(CodingErrorAction.REPORT);

	@Test
	void shouldFindTheSameFirstInvalidByteAsTheJdkDecoderForEverySequenceOfEdgeBytes() {
		// given every sequence of up to 4 edge bytes, behind ASCII runs that cross the
		// 8-byte steps
		int checked = 0;
		for (int length = 1; length <= 4; length++) {
			int combinations = (int) Math.pow(EDGES.length, length);
			for (int n = 0; n < combinations; n++) {
				for (int padding : new int[] { 0, 7, 9 }) {
					byte[] bytes = new byte[padding + length + (n % 3)];
					java.util.Arrays.fill(bytes, (byte) 'a');
					int code = n;
					for (int i = 0; i < length; i++) {
						bytes[padding + i] = (byte) EDGES[code % EDGES.length];
						code /= EDGES.length;
					}

					// when / then
					assertThat(Utf8.firstInvalid(bytes, 0, bytes.length))
						.as("%s", java.util.HexFormat.of().formatHex(bytes))
						.isEqualTo(jdkFirstInvalid(bytes));
					checked++;
				}
			}
		}
		assertThat(checked).isGreaterThan(1_000_000);
	}

	@Test
	void shouldCheckOnlyTheGivenRange() {
		byte[] bytes = { (byte) 0xff, 'a', (byte) 0xc3, (byte) 0xa9, 'b', (byte) 0xe2, (byte) 0x82 };
		assertThat(Utf8.firstInvalid(bytes, 1, 5)).isEqualTo(-1);
		assertThat(Utf8.firstInvalid(bytes, 1, 7)).isEqualTo(5);
		assertThat(Utf8.firstInvalid(bytes, 1, 3)).isEqualTo(2);
	}

	private int jdkFirstInvalid(byte[] bytes) {
		ByteBuffer in = ByteBuffer.wrap(bytes);
		this.jdk.reset();
		CoderResult result = this.jdk.decode(in, CharBuffer.allocate(bytes.length * 2), true);
		return result.isError() ? in.position() : -1;
	}

}
