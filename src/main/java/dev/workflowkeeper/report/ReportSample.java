package dev.workflowkeeper.report;

import java.math.BigDecimal;

import dev.workflowkeeper.job.JobTexts;
import dev.workflowkeeper.store.MaintainableStore.KeySample;

/**
 * The {@code sample} option of a memory report: a share of the keyspace ({@code 0.1},
 * {@code 10%}), or a whole number of keys ({@code 100000}). A share has a decimal point
 * or a percent sign and lies in (0, 1]; a number of keys has neither and is at least 1.
 * Its {@link #canonical} form is the job parameter, so that {@code 10%} and {@code 0.1}
 * name the same report.
 *
 * @param share the share of the keyspace to visit, in (0, 1]; 1 when the sample is a
 * number of keys
 * @param keys the keys to read; {@link Long#MAX_VALUE} when the sample is a share
 */
record ReportSample(double share, long keys) {

	/** What a sample looks like, as a refusal says it. */
	static final String EXPECTED = "a share of the keyspace in (0, 1] such as 0.1 or 10%, "
			+ "or a whole number of keys such as 100000";

	/**
	 * Reads a sample option.
	 * @throws IllegalArgumentException when it is none of the two forms
	 */
	static ReportSample parse(String text) {
		String value = text.trim();
		try {
			if (value.endsWith("%")) {
				return share(new BigDecimal(value.substring(0, value.length() - 1).trim()).movePointLeft(2));
			}
			if (value.contains(".") || value.contains("e") || value.contains("E")) {
				return share(new BigDecimal(value));
			}
			long keys = Long.parseLong(value);
			if (keys >= 1) {
				return new ReportSample(1.0, keys);
			}
		}
		catch (NumberFormatException ex) {
			// told below
		}
		throw new IllegalArgumentException(EXPECTED);
	}

	private static ReportSample share(BigDecimal share) {
		if (share.signum() <= 0 || share.compareTo(BigDecimal.ONE) > 0) {
			throw new IllegalArgumentException(EXPECTED);
		}
		return new ReportSample(share.doubleValue(), Long.MAX_VALUE);
	}

	/** Whether the sample is a number of keys rather than a share. */
	boolean byKeys() {
		return this.keys != Long.MAX_VALUE;
	}

	/** The job parameter: {@code 0.1} for {@code 10%}, {@code 5000} for 5,000 keys. */
	String canonical() {
		if (byKeys()) {
			return Long.toString(this.keys);
		}
		String share = BigDecimal.valueOf(this.share).stripTrailingZeros().toPlainString();
		return share.contains(".") ? share : share + ".0";
	}

	/** What the store's readers are asked for. */
	KeySample keySample() {
		return new KeySample(this.share, this.keys);
	}

	/** {@code a 10% sample}, {@code a sample of 5,000 keys}. */
	String describe() {
		return byKeys() ? "a sample of " + JobTexts.count(this.keys) + " keys" : "a " + percent(this.share) + " sample";
	}

	/** {@code 10%}, {@code 0.5%}: a share as a percentage, to at most 2 decimals. */
	static String percent(double share) {
		return BigDecimal.valueOf(share * 100)
			.setScale(2, java.math.RoundingMode.HALF_UP)
			.stripTrailingZeros()
			.toPlainString() + "%";
	}

}
