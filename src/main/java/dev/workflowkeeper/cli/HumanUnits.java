package dev.workflowkeeper.cli;

import java.util.Locale;

/** Bytes and counts as a person reads them. */
public final class HumanUnits {

	private HumanUnits() {
	}

	public static String bytes(long bytes) {
		if (bytes < 1024) {
			return bytes + " B";
		}
		String[] units = { "KiB", "MiB", "GiB", "TiB" };
		double value = bytes;
		int unit = -1;
		while (value >= 1024 && unit < units.length - 1) {
			value /= 1024;
			unit++;
		}
		return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
	}

	public static String count(long count) {
		return String.format(Locale.ROOT, "%,d", count);
	}

	public static String signed(long delta, boolean bytes) {
		String sign = (delta >= 0) ? "+" : "-";
		return sign + (bytes ? bytes(Math.abs(delta)) : count(Math.abs(delta)));
	}

}
