package dev.workflowkeeper.job;

import java.util.Locale;

/**
 * One option of a job, as its schedule file, its command, the HTTP launch and the
 * dashboard name it.
 *
 * @param name the option's name (camelCase), which is also its job parameter's name
 * @param type the kind of value it takes
 * @param defaultValue what it is when not given, in words; {@code null} when it is
 * required
 * @param help one line on what it does
 */
public record JobOption(String name, OptionType type, String defaultValue, String help) {

	/** An option that has a default. */
	public static JobOption of(String name, OptionType type, String defaultValue, String help) {
		return new JobOption(name, type, defaultValue, help);
	}

	/** An option that must be given. */
	public static JobOption required(String name, OptionType type, String help) {
		return new JobOption(name, type, null, help);
	}

	/** Whether a launch must give it. */
	public boolean isRequired() {
		return this.defaultValue == null;
	}

	/** The option on the command line: {@code staleAfter} is {@code --stale-after}. */
	public String commandLineName() {
		StringBuilder name = new StringBuilder("--");
		for (char c : this.name.toCharArray()) {
			if (Character.isUpperCase(c)) {
				name.append('-').append(Character.toLowerCase(c));
			}
			else {
				name.append(c);
			}
		}
		return name.toString().toLowerCase(Locale.ROOT);
	}

}
