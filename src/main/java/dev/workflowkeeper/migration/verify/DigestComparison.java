package dev.workflowkeeper.migration.verify;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Walks the sorted digests of what the target should hold, what it holds, and what it
 * held before the run, in one pass, and counts the differences. Memory use does not
 * depend on the key count.
 */
public final class DigestComparison {

	private DigestComparison() {
	}

	/**
	 * @param expected digests of the states the source says the target should hold
	 * @param actual digests of the target's states
	 * @param before digests of the target's states before the run, or {@code null} when
	 * it held none
	 * @param conflictsExplained whether a differing state the target held before counts
	 * as kept by the conflict policy ({@code skip}, {@code newer}) rather than as a
	 * difference
	 * @param toleranceMillis how far an expiry may stray outside its expected range
	 * @param copyStartMillis when the run began copying: an expected state whose expiry
	 * passed before was never written
	 * @param nowMillis the time of verification: an expected state whose expiry has
	 * passed may be gone
	 */
	public static VerificationResult compare(Path expected, Path actual, Path before, boolean conflictsExplained,
			long toleranceMillis, long copyStartMillis, long nowMillis) {
		long expectedCount = 0, targetCount = 0, matched = 0, missing = 0, mismatched = 0, drift = 0, extra = 0,
				kept = 0, extraBefore = 0, expiredBefore = 0, expiredAfter = 0;
		try (DigestFile.Reader exp = new DigestFile.Reader(expected);
				DigestFile.Reader act = new DigestFile.Reader(actual);
				DigestFile.Reader old = (before != null && Files.exists(before)) ? new DigestFile.Reader(before)
						: DigestFile.Reader.empty()) {
			while (exp.peek() != null || act.peek() != null) {
				int order = (exp.peek() == null) ? 1
						: (act.peek() == null) ? -1 : exp.peek().sortKey().compareTo(act.peek().sortKey());
				if (order < 0) {
					DigestFile.Digest e = exp.take();
					if (e.expireTo() >= 0 && e.expireTo() < copyStartMillis) {
						expiredBefore++;
					}
					else if (e.expireTo() >= 0 && e.expireTo() <= nowMillis) {
						expiredAfter++;
					}
					else {
						expectedCount++;
						missing++;
					}
				}
				else if (order > 0) {
					DigestFile.Digest a = act.take();
					targetCount++;
					if (heldBefore(old, a.sortKey()) != null) {
						extraBefore++;
					}
					else {
						extra++;
					}
				}
				else {
					DigestFile.Digest e = exp.take();
					DigestFile.Digest a = act.take();
					targetCount++;
					if (e.expireTo() >= 0 && e.expireTo() + toleranceMillis <= nowMillis) {
						// in the target, so written: its expiry passed since
						expiredAfter++;
						continue;
					}
					expectedCount++;
					boolean sameValue = e.sha256().equals(a.sha256());
					boolean inRange = a.expireFrom() >= e.expireFrom() - toleranceMillis
							&& a.expireFrom() <= e.expireTo() + toleranceMillis;
					if (sameValue && inRange) {
						matched++;
					}
					else if (conflictsExplained && heldBefore(old, a.sortKey()) != null) {
						kept++;
					}
					else if (sameValue) {
						drift++;
					}
					else {
						mismatched++;
					}
				}
			}
		}
		return new VerificationResult(expectedCount, targetCount, matched, missing, mismatched, drift, extra, kept,
				extraBefore, expiredBefore, expiredAfter);
	}

	private static DigestFile.Digest heldBefore(DigestFile.Reader before, String sortKey) {
		while (before.peek() != null && before.peek().sortKey().compareTo(sortKey) < 0) {
			before.take();
		}
		return (before.peek() != null && before.peek().sortKey().equals(sortKey)) ? before.peek() : null;
	}

}
