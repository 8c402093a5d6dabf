package dev.workflowkeeper.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.boot.convert.DurationStyle;

/**
 * The options of one launch of a job, read the same way whatever launched it: a command
 * line gives texts, a JSON body or a schedule file gives strings, booleans and numbers,
 * stored job parameters give what {@code toJobParameters()} wrote. Each typed read
 * refuses a value of the wrong kind with the one message every launch path shows
 * ({@code purgeStatesJob: option dryRun must be true or
 * false, not 'yes'}); {@link #of} refuses an unknown option, suggesting the one that was
 * meant.
 */
public final class JobOptions {

	private final String job;

	private final Map<String, Object> values;

	private final String noun;

	private JobOptions(String job, Map<String, Object> values, String noun) {
		this.job = job;
		this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
		this.noun = noun;
	}

	/**
	 * The options of a launch of {@code definition}.
	 * @throws JobOptionException when an option is not one the job takes
	 */
	public static JobOptions of(JobDefinition definition, Map<String, ?> values) {
		List<String> known = definition.options().stream().map(JobOption::name).toList();
		for (Map.Entry<String, ?> option : values.entrySet()) {
			if (!known.contains(option.getKey())) {
				throw new JobOptionException(unknownOption(definition.name(), option.getKey(), known));
			}
			if (option.getValue() == null) {
				// An explicit null (JSON's {"dryRun": null}) is a mistake, not a request
				// for the default.
				JobOption declared = definition.options().get(known.indexOf(option.getKey()));
				throw new JobOptionException(definition.name() + ": option " + option.getKey() + " must be "
						+ declared.type().expected() + ", not null; leave it out for its default");
			}
		}
		return new JobOptions(definition.name(), new LinkedHashMap<>(values), "option");
	}

	/**
	 * Options whose names are already known to be the job's (the rules of a record,
	 * tested alone).
	 */
	public static JobOptions given(String job, Map<String, ?> values) {
		return new JobOptions(job, new LinkedHashMap<>(values), "option");
	}

	/** Job parameters as stored, to be read back into a job's parameters record. */
	public static JobOptions ofParameters(String job, JobParameters parameters) {
		Map<String, Object> values = new LinkedHashMap<>();
		for (JobParameter<?> parameter : parameters) {
			values.put(parameter.name(), parameter.value());
		}
		return new JobOptions(job, values, "parameter");
	}

	/** The one line for an option the job does not take. */
	public static String unknownOption(String job, String name, List<String> known) {
		if (known.isEmpty()) {
			return job + ": unknown option '" + name + "'; it takes no option";
		}
		String meant = closest(name, known);
		return job + ": unknown option '" + name + "'" + ((meant != null) ? " (did you mean " + meant + "?)" : "")
				+ "; it takes " + String.join(", ", known);
	}

	/**
	 * The known name a misspelt one most likely meant: same letters but for case, or two
	 * edits away.
	 */
	static String closest(String name, List<String> known) {
		String best = null;
		int bestDistance = Integer.MAX_VALUE;
		String plain = plain(name);
		for (String candidate : known) {
			int distance = plain.equals(plain(candidate)) ? 0
					: distance(name.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
			if (distance < bestDistance) {
				bestDistance = distance;
				best = candidate;
			}
		}
		return (bestDistance <= Math.max(1, Math.min(3, name.length() / 3))) ? best : null;
	}

	private static String plain(String name) {
		return name.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
	}

	/** Edits (insert, delete, replace, swap of neighbours) from one name to the other. */
	private static int distance(String a, String b) {
		int[][] d = new int[a.length() + 1][b.length() + 1];
		for (int i = 0; i <= a.length(); i++) {
			d[i][0] = i;
		}
		for (int j = 0; j <= b.length(); j++) {
			d[0][j] = j;
		}
		for (int i = 1; i <= a.length(); i++) {
			for (int j = 1; j <= b.length(); j++) {
				int cost = (a.charAt(i - 1) == b.charAt(j - 1)) ? 0 : 1;
				d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
				if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
					d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
				}
			}
		}
		return d[a.length()][b.length()];
	}

	/** The job these options are for. */
	public String job() {
		return this.job;
	}

	/** Whether the option was given (a blank text counts as not given). */
	public boolean has(String name) {
		return raw(name) != null;
	}

	private Object raw(String name) {
		Object value = this.values.get(name);
		return (value instanceof String text && text.isBlank()) ? null : value;
	}

	/** A refusal of an option's value: {@code job: option name must be …, not '…'}. */
	public JobOptionException bad(String name, String expected) {
		return new JobOptionException(this.job + ": " + this.noun + " " + name + " must be " + expected + ", not '"
				+ StoreUri.mask(String.valueOf(this.values.get(name))) + "'");
	}

	/** A refusal by one of the job's rules: {@code job: option name …}. */
	public JobOptionException refuse(String name, String problem) {
		return new JobOptionException(this.job + ": " + this.noun + " " + name + " " + problem);
	}

	private JobOptionException missing(String name, OptionType type) {
		return new JobOptionException(
				this.job + ": " + this.noun + " " + name + " is required (" + type.expected() + ")");
	}

	/** A boolean; {@code fallback} when absent ({@code null}: required). */
	public boolean bool(String name, Boolean fallback) {
		Object value = raw(name);
		if (value == null) {
			if (fallback == null) {
				throw missing(name, OptionType.BOOLEAN);
			}
			return fallback;
		}
		if (value instanceof Boolean flag) {
			return flag;
		}
		if (value instanceof String text) {
			String word = text.trim().toLowerCase(Locale.ROOT);
			if (word.equals("true") || word.equals("false")) {
				return Boolean.parseBoolean(word);
			}
		}
		throw bad(name, OptionType.BOOLEAN.expected());
	}

	/**
	 * A positive duration: {@code 90s}, {@code 48h}, {@code P2D}, or a whole number of
	 * seconds; {@code fallback} when absent ({@code null}: required).
	 */
	public Duration duration(String name, Duration fallback) {
		return duration(name, fallback, false);
	}

	/**
	 * A duration written as {@link #duration} reads it, or zero ({@code 0}, {@code 0s})
	 * for an option where zero means "none"; {@code fallback} when absent ({@code null}:
	 * required).
	 */
	public Duration durationOrZero(String name, Duration fallback) {
		return duration(name, fallback, true);
	}

	private Duration duration(String name, Duration fallback, boolean zeroAllowed) {
		Object value = raw(name);
		if (value == null) {
			if (fallback == null) {
				throw missing(name, OptionType.DURATION);
			}
			return fallback;
		}
		Duration duration = parseDuration(value);
		if (duration == null || duration.isNegative() || (duration.isZero() && !zeroAllowed)) {
			throw bad(name, OptionType.DURATION.expected() + (zeroAllowed ? ", or 0" : ""));
		}
		return duration;
	}

	private static Duration parseDuration(Object value) {
		if (value instanceof Duration duration) {
			return duration;
		}
		if (value instanceof Number number) {
			double seconds = number.doubleValue();
			return (seconds == Math.rint(seconds) && !(value instanceof Double && Double.isInfinite(seconds)))
					? Duration.ofSeconds(number.longValue()) : null;
		}
		if (!(value instanceof String text)) {
			return null;
		}
		String trimmed = text.trim();
		try {
			return trimmed.matches("\\d{1,15}") ? Duration.ofSeconds(Long.parseLong(trimmed))
					: DurationStyle.detectAndParse(trimmed);
		}
		catch (IllegalArgumentException | ArithmeticException ex) {
			return null;
		}
	}

	/** A whole number; {@code fallback} when absent ({@code null}: required). */
	public long whole(String name, Long fallback) {
		Object value = raw(name);
		if (value == null) {
			if (fallback == null) {
				throw missing(name, OptionType.WHOLE);
			}
			return fallback;
		}
		if (value instanceof Number number) {
			if (number.doubleValue() == Math.rint(number.doubleValue()) && !Double.isInfinite(number.doubleValue())) {
				return number.longValue();
			}
			throw bad(name, OptionType.WHOLE.expected());
		}
		if (value instanceof String text) {
			try {
				return Long.parseLong(text.trim());
			}
			catch (NumberFormatException ex) {
				// told below
			}
		}
		throw bad(name, OptionType.WHOLE.expected());
	}

	/** A finite number; {@code fallback} when absent ({@code null}: required). */
	public double number(String name, Double fallback) {
		Object value = raw(name);
		if (value == null) {
			if (fallback == null) {
				throw missing(name, OptionType.NUMBER);
			}
			return fallback;
		}
		double number = Double.NaN;
		if (value instanceof Number given) {
			number = given.doubleValue();
		}
		else if (value instanceof String text) {
			try {
				number = Double.parseDouble(text.trim());
			}
			catch (NumberFormatException ex) {
				// told below
			}
		}
		if (Double.isNaN(number) || Double.isInfinite(number)) {
			throw bad(name, OptionType.NUMBER.expected());
		}
		return number;
	}

	/** A text; {@code fallback} when absent ({@code null}: required). */
	public String text(String name, String fallback) {
		Object value = raw(name);
		if (value == null) {
			if (fallback == null) {
				throw missing(name, OptionType.TEXT);
			}
			return fallback;
		}
		if (value instanceof Map || value instanceof Collection) {
			throw bad(name, OptionType.TEXT.expected());
		}
		return value.toString();
	}

	/** A store address; {@code null} when absent and not {@code required}. */
	public StoreUri store(String name, boolean required) {
		Object value = raw(name);
		if (value == null) {
			if (required) {
				throw missing(name, OptionType.STORE);
			}
			return null;
		}
		if (!(value instanceof String text)) {
			throw bad(name, OptionType.STORE.expected());
		}
		try {
			return StoreUri.parse(text.trim());
		}
		catch (IllegalArgumentException ex) {
			throw new JobOptionException(
					this.job + ": " + this.noun + " " + name + ": " + StoreUri.mask(ex.getMessage()));
		}
	}

	/**
	 * A set of lower-case words, from a list or a comma-separated text; empty when
	 * absent.
	 */
	public Set<String> words(String name) {
		Object value = raw(name);
		if (value == null) {
			return Set.of();
		}
		List<String> given = new ArrayList<>();
		if (value instanceof Collection<?> list) {
			list.forEach((item) -> given.add(String.valueOf(item)));
		}
		else if (value instanceof String text) {
			given.addAll(List.of(text.split(",")));
		}
		else {
			throw bad(name, OptionType.LIST.expected());
		}
		Set<String> words = new LinkedHashSet<>();
		for (String word : given) {
			if (!word.isBlank()) {
				words.add(word.trim().toLowerCase(Locale.ROOT));
			}
		}
		return words;
	}

}
