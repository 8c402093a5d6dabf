package dev.workflowkeeper.ops.dashboard;

import java.text.NumberFormat;
import java.util.Locale;

/**
 * How the dashboard writes numbers, sizes, times and durations; called from the template.
 */
public class DashboardFormat {

	private static final String[] UNITS = { "B", "KiB", "MiB", "GiB", "TiB" };

	/** A count with thousands separators; a dash for nothing. */
	public String number(Object value) {
		return (value instanceof Number number)
				? NumberFormat.getIntegerInstance(Locale.ROOT).format(number.longValue()) : "—";
	}

	/** Bytes in binary units: {@code 2.7 MiB}. */
	public String bytes(Object value) {
		if (!(value instanceof Number number)) {
			return "—";
		}
		double size = number.doubleValue();
		int unit = 0;
		while (Math.abs(size) >= 1024 && unit < UNITS.length - 1) {
			size /= 1024;
			unit++;
		}
		return (unit == 0) ? ((long) size + " B") : String.format(Locale.ROOT, "%.1f %s", size, UNITS[unit]);
	}

	/** An ISO-8601 time without its fraction of a second: {@code 2026-11-25 19:14:57}. */
	public String time(Object value) {
		if (!(value instanceof String text) || text.isBlank()) {
			return "—";
		}
		String plain = text.replace('T', ' ');
		int fraction = plain.indexOf('.');
		return (fraction > 0) ? plain.substring(0, fraction) + (plain.endsWith("Z") ? " UTC" : "")
				: plain.replace("Z", " UTC");
	}

	/** Milliseconds as {@code 850 ms}, {@code 12.3 s} or {@code 4 min 5 s}. */
	public String duration(Object value) {
		if (!(value instanceof Number number)) {
			return "—";
		}
		long millis = number.longValue();
		if (millis < 1000) {
			return millis + " ms";
		}
		if (millis < 60_000) {
			return String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
		}
		return (millis / 60_000) + " min " + ((millis / 1000) % 60) + " s";
	}

	/** The CSS class of a status: {@code status-completed}. */
	public String statusClass(Object status) {
		return "status-" + String.valueOf(status).toLowerCase(Locale.ROOT);
	}

}
