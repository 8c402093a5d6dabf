package dev.workflowkeeper.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command's {@code --help}, as a person reads it at the default width: commands
 * found as the command line finds them (the worker's own, their subcommands, and every
 * job's command on the class path), each rendered by running it with {@code --help}.
 */
class HelpTextsTests {

	/** Every command's path below the root ({@code []}, {@code [history, stop]}, …). */
	static Stream<List<String>> commands() {
		List<List<String>> paths = new ArrayList<>();
		collect(root(), new ArrayList<>(), paths);
		return paths.stream();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("commands")
	void shouldFitEveryLineInTheUsageWidth(List<String> path) {
		// given
		CommandSpec spec = spec(path);

		// when
		String help = help(path);

		// then
		assertThat(spec.usageMessage().width()).isEqualTo(80);
		assertThat(help.lines()).as(help)
			.allSatisfy((line) -> assertThat(line.length()).as(line).isLessThanOrEqualTo(80));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("commands")
	void shouldEndEveryDescriptionWithASentence(List<String> path) {
		CommandSpec spec = spec(path);

		assertThat(spec.usageMessage().description()).as("description of %s", path).isNotEmpty();
		for (String paragraph : spec.usageMessage().description()) {
			assertThat(paragraph.strip()).as("description of %s", path).endsWith(".");
		}
		for (ArgSpec arg : args(spec)) {
			assertThat(arg.description()).as("%s %s", path, name(arg)).isNotEmpty();
			for (String paragraph : arg.description()) {
				assertThat(paragraph.strip()).as("%s %s", path, name(arg)).endsWith(".");
			}
		}
		for (String line : prose(spec)) {
			assertThat(line.strip()).as("footer of %s", path).matches(".*[.:]$");
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("commands")
	void shouldNeverBreakAWord(List<String> path) {
		// given: every word the command's texts hold
		CommandSpec spec = spec(path);
		List<String> texts = new ArrayList<>(Arrays.asList(spec.usageMessage().description()));
		texts.addAll(Arrays.asList(spec.usageMessage().footer()));
		args(spec).forEach((arg) -> texts.addAll(Arrays.asList(arg.description())));
		spec.subcommands().values().forEach((sub) -> texts.add(sub.getCommandSpec().usageMessage().description()[0]));

		// when
		String help = help(path);
		Set<String> rendered = new HashSet<>(Arrays.asList(help.split("\\s+")));

		// then: each is printed whole, on one line
		for (String text : texts) {
			for (String word : text.strip().split("\\s+")) {
				if (!word.isEmpty()) {
					assertThat(rendered).as("'%s' of %s, in:%n%s", word, path, help).contains(word);
				}
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("commands")
	void shouldExplainEveryOptionAndTheDefaultOfEachValue(List<String> path) {
		for (OptionSpec option : spec(path).options()) {
			assertThat(String.join(" ", option.description())).as("%s %s", path, option.longestName()).isNotBlank();
			if (!option.required() && option.typeInfo().isBoolean() == false) {
				assertThat(String.join(" ", option.description()).toLowerCase())
					.as("%s %s tells its default", path, option.longestName())
					.contains("default");
			}
		}
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("commands")
	void shouldPrintEveryExampleWholeOnALineOfItsOwn(List<String> path) {
		// given
		String command = String.join(" ", path);
		List<String> examples = examples(spec(path));

		// when
		List<String> lines = help(path).lines().toList();

		// then
		for (String example : examples) {
			assertThat(example.equals("  " + command) || example.startsWith("  " + command + " "))
				.as("%s is an example of %s", example, path)
				.isTrue();
			assertThat(example.length()).as(example).isLessThanOrEqualTo(80);
			assertThat(lines).as("help of %s", path).contains(example);
		}
	}

	@Test
	void shouldGiveEveryJobCommandExamples() {
		for (Class<?> type : KeeperCommandLine.jobCommands()) {
			String name = type.getAnnotation(picocli.CommandLine.Command.class).name();
			if (!name.equals("countdown")) {
				assertThat(examples(spec(List.of(name)))).as(name).isNotEmpty();
			}
		}
	}

	@Test
	void shouldExplainStaleAfterInPurge() {
		OptionSpec staleAfter = spec(List.of("purge")).findOption("--stale-after");

		String description = String.join(" ", staleAfter.description());

		assertThat(description).contains("updated_at").contains("stale").containsIgnoringCase("default");
		assertThat(help(List.of("purge"))).contains("--stale-after=DURATION");
	}

	private static CommandLine root() {
		return KeeperCommandLine.commandLine(
				new Boot(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(), false));
	}

	private static void collect(CommandLine command, List<String> path, List<List<String>> paths) {
		paths.add(List.copyOf(path));
		command.getSubcommands().forEach((name, sub) -> {
			List<String> deeper = new ArrayList<>(path);
			deeper.add(name);
			collect(sub, deeper, paths);
		});
	}

	private static CommandSpec spec(List<String> path) {
		CommandLine command = root();
		for (String name : path) {
			command = command.getSubcommands().get(name);
		}
		return command.getCommandSpec();
	}

	/** What {@code path --help} prints. */
	private static String help(List<String> path) {
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		List<String> args = new ArrayList<>(path);
		args.add("--help");
		int code = KeeperCommandLine.run(new PrintWriter(out, true), new PrintWriter(err, true), Map.of(),
				args.toArray(String[]::new));
		assertThat(code).as(err.toString()).isZero();
		assertThat(err.toString()).isEmpty();
		return out.toString();
	}

	private static List<ArgSpec> args(CommandSpec spec) {
		List<ArgSpec> args = new ArrayList<>(spec.options());
		args.addAll(spec.positionalParameters());
		return args;
	}

	private static String name(ArgSpec arg) {
		return (arg instanceof OptionSpec option) ? option.longestName() : arg.paramLabel();
	}

	/** The footer's lines after "Examples:". */
	private static List<String> examples(CommandSpec spec) {
		List<String> footer = Arrays.asList(spec.usageMessage().footer());
		int heading = footer.indexOf("Examples:");
		return (heading < 0) ? List.of()
				: footer.subList(heading + 1, footer.size()).stream().filter((line) -> !line.isBlank()).toList();
	}

	/** The footer's lines that are not examples, nor blank. */
	private static List<String> prose(CommandSpec spec) {
		List<String> footer = Arrays.asList(spec.usageMessage().footer());
		int heading = footer.indexOf("Examples:");
		List<String> before = (heading < 0) ? footer : footer.subList(0, heading + 1);
		return before.stream().filter((line) -> !line.isBlank()).toList();
	}

}
