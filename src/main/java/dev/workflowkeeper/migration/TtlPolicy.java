package dev.workflowkeeper.migration;

import java.time.Duration;
import java.util.Locale;

import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.WorkflowEntry;

/**
 * How a migration gives each state its expiry in the target ({@code --ttl}).
 *
 * @param mode the rule
 * @param seconds the fixed TTL for {@link Mode#FIXED}, else 0
 */
public record TtlPolicy(Mode mode, long seconds) {

	/** The rules of {@code --ttl}. */
	public enum Mode {

		/** {@code preserve} where the source holds an expiry, {@code from-age} where it does not. */
		AUTO,

		/** Carry the remaining TTL as an absolute expiry, so a retried chunk never lengthens a life. */
		PRESERVE,

		/** {@code WORKFLOW_STATE_TTL − (now − updated_at)}: the life the service would have left it. */
		FROM_AGE,

		/** A fresh {@code WORKFLOW_STATE_TTL} from the moment of the write. */
		RESET,

		/** A fresh TTL of the given seconds from the moment of the write. */
		FIXED

	}

	public static TtlPolicy parse(String text) {
		String value = (text == null) ? "auto" : text.trim().toLowerCase(Locale.ROOT);
		return switch (value) {
			case "auto", "" -> new TtlPolicy(Mode.AUTO, 0);
			case "preserve" -> new TtlPolicy(Mode.PRESERVE, 0);
			case "from-age" -> new TtlPolicy(Mode.FROM_AGE, 0);
			case "reset" -> new TtlPolicy(Mode.RESET, 0);
			default -> {
				long seconds;
				try {
					seconds = Long.parseLong(value);
				}
				catch (NumberFormatException ex) {
					throw new IllegalArgumentException("--ttl must be preserve, from-age, reset or a number of seconds, not '" + text + "'");
				}
				if (seconds <= 0) {
					throw new IllegalArgumentException("--ttl must be a positive number of seconds, not " + seconds);
				}
				yield new TtlPolicy(Mode.FIXED, seconds);
			}
		};
	}

	/** The form stored in the job parameters and accepted by {@link #parse}. */
	public String text() {
		return (this.mode == Mode.FIXED) ? Long.toString(this.seconds) : this.mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	/**
	 * The range an entry's target expiry must fall in when written between {@code earliestWrite}
	 * and {@code latestWrite}: a single instant for {@code preserve} and {@code from-age}.
	 * @return {@code [from, to]} in epoch millis; {@code null} when the entry cannot be given an
	 * expiry (from-age without a readable {@code updated_at})
	 */
	public long[] expiryRange(WorkflowEntry entry, StateFields fields, Duration stateTtl, long earliestWrite, long latestWrite) {
		Mode effective = (this.mode == Mode.AUTO) ? (entry.hasExpiry() ? Mode.PRESERVE : Mode.FROM_AGE) : this.mode;
		return switch (effective) {
			case PRESERVE -> entry.hasExpiry() ? new long[] { entry.expireAtMillis(), entry.expireAtMillis() }
					: fromAge(fields, stateTtl);
			case FROM_AGE -> fromAge(fields, stateTtl);
			case RESET -> new long[] { earliestWrite + stateTtl.toMillis(), latestWrite + stateTtl.toMillis() };
			case FIXED -> new long[] { earliestWrite + this.seconds * 1000, latestWrite + this.seconds * 1000 };
			case AUTO -> throw new IllegalStateException("unreachable");
		};
	}

	private static long[] fromAge(StateFields fields, Duration stateTtl) {
		if (fields == null || !fields.hasUpdatedAt()) {
			return null;
		}
		long expireAt = fields.updatedAtMillis() + stateTtl.toMillis();
		return new long[] { expireAt, expireAt };
	}

	/** Whether a fresh TTL is computed at write time (so the expiry depends on when the write ran). */
	public boolean relativeToWrite() {
		return this.mode == Mode.RESET || this.mode == Mode.FIXED;
	}

}
