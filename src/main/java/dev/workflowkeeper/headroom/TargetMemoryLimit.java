package dev.workflowkeeper.headroom;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.workflowkeeper.cli.HumanUnits;

import org.springframework.util.unit.DataSize;

/**
 * How much of its memory a Redis target may fill before the worker refuses to write more
 * ({@code keeper.migration.max-target-memory}): a share of its {@code maxmemory}
 * ({@code 90%}, the default), a size ({@code 2GB}, never above {@code maxmemory}), or
 * {@code off}. Without a {@code maxmemory} a share counts against the memory of the
 * server's machine ({@code total_system_memory}): past it the server swaps or is killed.
 *
 * @param share the share of {@code maxmemory}, above 0 and at most 1; 0 for a size or
 * {@code off}
 * @param bytes the size; 0 for a share or {@code off}
 */
public record TargetMemoryLimit(double share, long bytes) {

	/** The setting that holds the limit. */
	public static final String SETTING = "keeper.migration.max-target-memory";

	/** Refuses nothing: the guard is off. */
	public static final TargetMemoryLimit OFF = new TargetMemoryLimit(0, 0);

	/**
	 * Reads the setting: {@code 90%}, {@code 2GB}, {@code 512MB} or {@code off}.
	 * @throws IllegalArgumentException in one line, for another value
	 */
	public static TargetMemoryLimit parse(String text) {
		String value = (text != null) ? text.strip() : "";
		try {
			if (value.equalsIgnoreCase("off")) {
				return OFF;
			}
			if (value.endsWith("%")) {
				double percent = Double.parseDouble(value.substring(0, value.length() - 1).strip());
				if (percent > 0 && percent <= 100) {
					return new TargetMemoryLimit(percent / 100, 0);
				}
			}
			else if (!value.isEmpty()) {
				long bytes = DataSize.parse(value).toBytes();
				if (bytes > 0) {
					return new TargetMemoryLimit(0, bytes);
				}
			}
		}
		catch (IllegalArgumentException ex) {
			// told below
		}
		throw new IllegalArgumentException(SETTING + " must be a share of maxmemory such as 90%, a size such as 2GB,"
				+ " or off, not '" + value + "'");
	}

	/** Whether the guard is off. */
	public boolean off() {
		return this.share == 0 && this.bytes == 0;
	}

	/**
	 * The {@code used_memory} a target may reach, from its {@code serverInfo()}; -1 when
	 * off, or when the server tells neither a {@code maxmemory} nor its machine's memory.
	 */
	public long limit(Map<String, Object> server) {
		long maxmemory = number(server.get("maxmemory"));
		if (off()) {
			return -1;
		}
		if (this.bytes > 0) {
			return (maxmemory > 0) ? Math.min(this.bytes, maxmemory) : this.bytes;
		}
		long of = (maxmemory > 0) ? maxmemory : number(server.get("totalSystemMemory"));
		return (of > 0) ? (long) (of * this.share) : -1;
	}

	/**
	 * The limit in words: {@code 90% of its maxmemory}, {@code 90% of its machine's
	 * memory (no maxmemory)},
	 * {@code its limit of 2.0 GiB (keeper.migration.max-target-memory)}.
	 */
	public String describe(Map<String, Object> server) {
		long maxmemory = number(server.get("maxmemory"));
		if (this.bytes > 0) {
			return (maxmemory > 0 && maxmemory <= this.bytes) ? "its maxmemory"
					: "its limit of " + HumanUnits.bytes(this.bytes) + " (" + SETTING + ")";
		}
		String percent = String.format(Locale.ROOT, "%s%%", trim(this.share * 100));
		return percent + ((maxmemory > 0) ? " of its maxmemory" : " of its machine's memory (no maxmemory)");
	}

	/**
	 * What the limit is measured against, for a message: {@code maxmemory}, or the
	 * machine's memory without one; 0 when neither is known.
	 */
	static long capacity(Map<String, Object> server) {
		long maxmemory = number(server.get("maxmemory"));
		return (maxmemory > 0) ? maxmemory : number(server.get("totalSystemMemory"));
	}

	/**
	 * The servers whose memory is judged: each master of a Redis Cluster (its
	 * {@code serverInfo()} lists them under {@code masters}), else the one server.
	 */
	@SuppressWarnings("unchecked")
	static List<Map<String, Object>> servers(Map<String, Object> server) {
		return (server.get("masters") instanceof List<?> masters && !masters.isEmpty())
				? (List<Map<String, Object>>) masters : List.of(server);
	}

	static long number(Object value) {
		return (value instanceof Number number) ? number.longValue() : 0;
	}

	private static String trim(double percent) {
		return (percent == Math.rint(percent)) ? Long.toString((long) percent)
				: String.format(Locale.ROOT, "%.1f", percent);
	}

}
