package dev.workflowkeeper.job;

/**
 * The kinds of value a job option takes, each with the words a refusal uses for it. Every
 * launch path — command line, HTTP, dashboard, schedule file — reads a value of a kind
 * the same way.
 */
public enum OptionType {

	/** {@code true} or {@code false} (a JSON or YAML boolean, or that text). */
	BOOLEAN("true or false"),

	/**
	 * {@code 90s}, {@code 48h}, {@code P2D}; a bare number is seconds. Never zero or
	 * negative.
	 */
	DURATION("a positive duration such as 90s, 48h, P2D or a number of seconds"),

	/** A whole number. */
	WHOLE("a whole number"),

	/** A number. */
	NUMBER("a number"),

	/** A text. */
	TEXT("a text"),

	/**
	 * A store address ({@code redis://…}, {@code rediss://…}, {@code snapshot:PATH},
	 * {@code memory:}).
	 */
	STORE("a store address"),

	/** A list, given as a JSON/YAML list or a comma-separated text. */
	LIST("a list or a comma-separated text");

	private final String expected;

	OptionType(String expected) {
		this.expected = expected;
	}

	/** What a value of this kind looks like, as a refusal says it. */
	public String expected() {
		return this.expected;
	}

}
