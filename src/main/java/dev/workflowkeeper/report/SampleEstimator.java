package dev.workflowkeeper.report;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Estimates the totals of a keyspace from a sample of its {@code SCAN} pages. Keys are
 * spread over the hash table's buckets by their hash, so each page is a random cluster of
 * keys that covers a known share {@code s} of the table (its cursor tells) and holds
 * {@code y} of a figure (keys, bytes, keys of a status…). The total of a figure is the
 * ratio estimate {@code Σy / Σs}; its standard error comes from how the pages vary around
 * that ratio, as for any cluster sample, with the finite-population correction
 * {@code 1 − f} ({@code f = Σs}, the share visited):
 * {@code var = (1 − f) · m / (m − 1) · Σ(y − R·s)² / (Σs)²} over {@code m} pages. The 95%
 * interval is {@code ± t · √var}, with Student's {@code t} for {@code m − 1} degrees of
 * freedom (a sample of a few pages gets a wider interval, as it should). A scan that
 * visited the whole table is exact: its interval is 0.
 * <p>
 * Only sums are kept ({@link Sums}, saved with the report's state), so memory does not
 * grow with the pages; a page that holds none of a figure adds nothing to its sums.
 */
final class SampleEstimator {

	/** Student's t at 97.5% for 1 to 30 degrees of freedom. */
	private static final double[] T_975 = { 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
			2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060,
			2.056, 2.052, 2.048, 2.045, 2.042 };

	private SampleEstimator() {
	}

	/**
	 * The estimate of one figure's total.
	 *
	 * @param value the estimated total
	 * @param halfWidth half the width of its 95% interval; {@code null} when the sample
	 * has fewer than two pages, from which no error can be told
	 */
	record Estimate(double value, Double halfWidth) {

		long rounded() {
			return Math.round(this.value);
		}

	}

	/** The estimate of {@code figure}'s total from the pages summed in {@code sums}. */
	static Estimate estimate(Sums sums, String figure) {
		double[] y = sums.figures.getOrDefault(figure, new double[3]);
		double f = Math.min(1.0, sums.shares);
		if (f >= 1.0 - 1e-12) {
			return new Estimate(y[0], 0.0);
		}
		if (sums.shares <= 0) {
			return new Estimate(0, null);
		}
		double ratio = y[0] / sums.shares;
		if (sums.pages < 2) {
			return new Estimate(ratio, null);
		}
		double residuals = Math.max(0, y[1] - 2 * ratio * y[2] + ratio * ratio * sums.shareSquares);
		double m = sums.pages;
		double variance = (1 - f) * m / (m - 1) * residuals / (sums.shares * sums.shares);
		return new Estimate(ratio, t975(sums.pages - 1) * Math.sqrt(variance));
	}

	/** Student's t at 97.5% for {@code df} degrees of freedom (≥ 1). */
	static double t975(long df) {
		// beyond the table, 1.96 + 2.5/df is within 0.001 of t
		return (df <= T_975.length) ? T_975[(int) df - 1] : 1.96 + 2.5 / df;
	}

	/**
	 * The sums over the pages read: how many, their shares and their squares, and for
	 * each figure {@code Σy}, {@code Σy²} and {@code Σy·s}. Public fields: saved as JSON
	 * in the ExecutionContext.
	 */
	static class Sums {

		public long pages;

		public double shares;

		public double shareSquares;

		public Map<String, double[]> figures = new TreeMap<>();

		/** Adds one page: the share {@code share} of the table, with {@code figures}. */
		void add(double share, Map<String, Long> figures) {
			this.pages++;
			this.shares += share;
			this.shareSquares += share * share;
			figures.forEach((name, value) -> {
				if (value != 0) {
					double[] sums = this.figures.computeIfAbsent(name, (n) -> new double[3]);
					sums[0] += value;
					sums[1] += (double) value * value;
					sums[2] += value * share;
				}
			});
		}

		Sums copy() {
			Sums copy = new Sums();
			copy.pages = this.pages;
			copy.shares = this.shares;
			copy.shareSquares = this.shareSquares;
			Map<String, double[]> figures = new LinkedHashMap<>();
			this.figures.forEach((name, sums) -> figures.put(name, sums.clone()));
			copy.figures = new TreeMap<>(figures);
			return copy;
		}

	}

}
