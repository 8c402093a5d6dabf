package dev.workflowkeeper.migration;

import java.time.Duration;
import java.util.Locale;

import dev.workflowkeeper.store.StateFields;
import dev.workflowkeeper.store.WorkflowEntry;

/**
 * How a migration gives each state its expiry in the target ({@code --ttl}). No rule
 * gives a state a TTL above the longest one a migration may give ({@link #maxTtl}): the
 * service's TTL, or the explicit {@code --ttl SECONDS} when that is longer. An expiry
 * further away, carried from the source ({@code preserve}) or computed from an
 * {@code updated_at} in the future ({@code from-age}), is capped to the moment of the
 * write plus that TTL, as {@code enforce-ttl} would cap it the next time it ran.
 *
 * @param mode the rule
 * @param seconds the fixed TTL for {@link Mode#FIXED}, else 0
 */
public record TtlPolicy(Mode mode, long seconds) {

	/** The longest fixed TTL a migration gives: ten years. */
	static final long MAX_SECONDS = 10L * 365 * 86_400;

	/** The rules of {@code --ttl}. */
	public enum Mode {

		/**
		 * {@code preserve} where the source holds an expiry, {@code from-age} where it
		 * does not.
		 */
		AUTO,

		/**
		 * Carry the remaining TTL as an absolute expiry, so a retried chunk never
		 * lengthens a life; one further away than the service's TTL is capped to it.
		 */
		PRESERVE,

		/**
		 * {@code WORKFLOW_STATE_TTL − (now − updated_at)}: the life the service would
		 * have left it.
		 */
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
					throw new IllegalArgumentException(
							"--ttl must be preserve, from-age, reset or a number of seconds, not '" + text + "'");
				}
				if (seconds <= 0) {
					throw new IllegalArgumentException("--ttl must be a positive number of seconds, not " + seconds);
				}
				if (seconds > MAX_SECONDS) {
					// Far past any state's life, and short of overflowing an expiry in
					// milliseconds.
					throw new IllegalArgumentException(
							"--ttl must be at most " + MAX_SECONDS + " seconds (ten years), not " + seconds);
				}
				yield new TtlPolicy(Mode.FIXED, seconds);
			}
		};
	}

	/** The form stored in the job parameters and accepted by {@link #parse}. */
	public String text() {
		return (this.mode == Mode.FIXED) ? Long.toString(this.seconds)
				: this.mode.name().toLowerCase(Locale.ROOT).replace('_', '-');
	}

	/**
	 * The range an entry's target expiry must fall in when written between
	 * {@code earliestWrite} and {@code latestWrite}: a single instant for
	 * {@code preserve} and {@code from-age}, unless the cap at the write plus
	 * {@link #maxTtl} applies.
	 * @return {@code [from, to]} in epoch millis; {@code null} when the entry cannot be
	 * given an expiry (from-age without a readable {@code updated_at})
	 */
	public long[] expiryRange(WorkflowEntry entry, StateFields fields, Duration stateTtl, long earliestWrite,
			long latestWrite) {
		long[] range = uncapped(entry, fields, stateTtl, earliestWrite, latestWrite);
		if (range == null) {
			return null;
		}
		long max = maxTtl(stateTtl).toMillis();
		return new long[] { Math.min(range[0], earliestWrite + max), Math.min(range[1], latestWrite + max) };
	}

	/**
	 * The longest TTL this policy gives a state: the service's TTL, or the explicit
	 * seconds of {@code --ttl SECONDS} when they are longer.
	 */
	public Duration maxTtl(Duration stateTtl) {
		Duration explicit = Duration.ofSeconds(this.seconds);
		return (this.mode == Mode.FIXED && explicit.compareTo(stateTtl) > 0) ? explicit : stateTtl;
	}

	private long[] uncapped(WorkflowEntry entry, StateFields fields, Duration stateTtl, long earliestWrite,
			long latestWrite) {
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

	/**
	 * Whether a fresh TTL is computed at write time (so the expiry depends on when the
	 * write ran); a capped expiry of the other rules depends on it too.
	 */
	public boolean relativeToWrite() {
		return this.mode == Mode.RESET || this.mode == Mode.FIXED;
	}

}
