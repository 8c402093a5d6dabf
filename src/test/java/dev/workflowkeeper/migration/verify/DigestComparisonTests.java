package dev.workflowkeeper.migration.verify;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class DigestComparisonTests {

	private static final long NOW = 1_000_000_000L;

	private static final long LATER = NOW + 3_600_000;

	/** When the run began copying. */
	private static final long START = NOW - 600_000;

	@TempDir
	Path tmp;

	@Test
	void shouldCountEveryKindOfDifferenceInBothDirections() {
		// given
		Path expected = write("expected",
				List.of(d("same", "a", LATER), d("missing", "b", LATER), d("changed", "c", LATER),
						d("drift", "d", LATER), d("kept", "e", LATER), d("gone", "f", NOW - 1),
						d("never", "i", START - 1), d("written-then-gone", "j", NOW - 10_000)));
		Path actual = write("actual",
				List.of(d("same", "a", LATER + 1_000), d("changed", "X", LATER), d("drift", "d", LATER + 60_000),
						d("kept", "live", LATER), d("extra", "g", LATER), d("old", "h", LATER),
						d("written-then-gone", "j", NOW - 10_000)));
		Path before = write("before", List.of(d("kept", "live", LATER), d("old", "h", LATER)));

		// when
		VerificationResult result = DigestComparison.compare(expected, actual, before, true, 5_000, START, NOW);

		// then
		assertThat(result.matched()).isEqualTo(1);
		assertThat(result.missing()).isEqualTo(1);
		assertThat(result.mismatched()).isEqualTo(1);
		assertThat(result.ttlDrift()).isEqualTo(1);
		assertThat(result.keptByPolicy()).isEqualTo(1);
		assertThat(result.extra()).isEqualTo(1);
		assertThat(result.extraPreExisting()).isEqualTo(1);
		// expired before the copy began: never written; since: written (or at the edge),
		// then gone
		assertThat(result.expiredBeforeCopy()).isEqualTo(1);
		assertThat(result.expiredAfterCopy()).isEqualTo(2);
		assertThat(result.differences()).isEqualTo(4);
		assertThat(result.clean()).isFalse();
	}

	@Test
	void shouldSortKeysWithControlCharactersAndBackslashesConsistently() {
		// given: keys whose raw order differs from their escaped order
		List<DigestFile.Digest> digests = List.of(d("a", "1", LATER), d("a\u0001", "2", LATER), d("a\\b", "3", LATER),
				d("a\tb", "4", LATER), d("a b", "5", LATER));
		Path expected = write("expected", digests);
		List<DigestFile.Digest> reversed = new ArrayList<>(digests);
		Collections.reverse(reversed);
		Path actual = write("actual", reversed);

		// when
		VerificationResult result = DigestComparison.compare(expected, actual, null, false, 0, START, NOW);

		// then
		assertThat(result.matched()).isEqualTo(5);
		assertThat(result.differences()).isZero();
	}

	@Test
	void shouldSortMoreDigestsThanOneRunHolds() {
		// given: more than one in-memory run, in reverse order
		DigestFile.Writer writer = new DigestFile.Writer(this.tmp.resolve("big"));
		for (int i = DigestFile.RUN_LINES * 2 + 10; i > 0; i--) {
			writer.add(d("k" + i, "v", LATER));
		}
		Path sorted = writer.finish();

		// when
		VerificationResult result = DigestComparison.compare(sorted, sorted, null, false, 0, START, NOW);

		// then
		assertThat(result.matched()).isEqualTo(DigestFile.RUN_LINES * 2 + 10);
	}

	private Path write(String name, List<DigestFile.Digest> digests) {
		DigestFile.Writer writer = new DigestFile.Writer(this.tmp.resolve(name));
		digests.forEach(writer::add);
		return writer.finish();
	}

	private static DigestFile.Digest d(String key, String value, long expireAt) {
		return new DigestFile.Digest(key, DigestFile.sha256(value.getBytes()), expireAt, expireAt);
	}

}
