package dev.workflowkeeper.migration.verify;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What verification found, source against target in both directions. The counts that fail
 * a run are {@link #missing}, {@link #mismatched}, {@link #ttlDrift} and {@link #extra};
 * the others are explained and do not.
 *
 * @param expected states the source says the target should hold
 * @param target states the target holds under its prefix
 * @param matched states equal in value with an expiry inside the tolerance
 * @param missing expected states the target does not hold
 * @param mismatched states whose values differ
 * @param ttlDrift states equal in value whose expiry is off by more than the tolerance
 * @param extra target states the source does not explain, and the target did not hold
 * before
 * @param keptByPolicy differing states the target held before the run and kept under the
 * conflict policy
 * @param extraPreExisting target states outside the source that the target held before
 * the run
 * @param expiredBeforeCopy expected states whose expiry passed before the run began
 * copying: never written
 * @param expiredAfterCopy expected states whose expiry passed since the copy began:
 * written, then expired (or, at the edge, already past it when their turn came)
 */
public record VerificationResult(long expected, long target, long matched, long missing, long mismatched, long ttlDrift,
		long extra, long keptByPolicy, long extraPreExisting, long expiredBeforeCopy, long expiredAfterCopy) {

	public long differences() {
		return this.missing + this.mismatched + this.ttlDrift + this.extra;
	}

	public boolean clean() {
		return differences() == 0;
	}

	public Map<String, Object> toMap() {
		Map<String, Object> map = new LinkedHashMap<>();
		map.put("expected", this.expected);
		map.put("target", this.target);
		map.put("matched", this.matched);
		map.put("missing", this.missing);
		map.put("mismatched", this.mismatched);
		map.put("ttlDrift", this.ttlDrift);
		map.put("extra", this.extra);
		map.put("keptByPolicy", this.keptByPolicy);
		map.put("extraPreExisting", this.extraPreExisting);
		map.put("expiredBeforeCopy", this.expiredBeforeCopy);
		map.put("expiredAfterCopy", this.expiredAfterCopy);
		return map;
	}

	public static VerificationResult fromMap(Map<String, ?> map) {
		return new VerificationResult(n(map, "expected"), n(map, "target"), n(map, "matched"), n(map, "missing"),
				n(map, "mismatched"), n(map, "ttlDrift"), n(map, "extra"), n(map, "keptByPolicy"),
				n(map, "extraPreExisting"), n(map, "expiredBeforeCopy"),
				// runs verified before the two were told apart counted them as one
				n(map, "expiredAfterCopy") + n(map, "expiredMeanwhile"));
	}

	private static long n(Map<String, ?> map, String key) {
		Object value = map.get(key);
		return (value instanceof Number number) ? number.longValue() : 0;
	}

	/** One line for a person. */
	public String summary() {
		return "verified " + this.expected + " expected against " + this.target + " in target: " + this.matched
				+ " matched, " + this.missing + " missing, " + this.mismatched + " mismatched, " + this.ttlDrift
				+ " TTL drift, " + this.extra + " extra; explained: " + this.keptByPolicy + " kept by conflict policy, "
				+ this.extraPreExisting + " extra held before, " + this.expiredBeforeCopy + " expired before copy, "
				+ this.expiredAfterCopy + " expired after copy";
	}

}
