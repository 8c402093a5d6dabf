package dev.workflowkeeper.cli;

import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.job.JobOptions;

import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AnnotationTypeFilter;
import org.springframework.core.type.filter.AssignableTypeFilter;
import org.springframework.util.ClassUtils;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of the command line: parses the arguments with picocli and hands each
 * command the means to boot the application. Results go to stdout, logs and errors to
 * stderr. Exit codes: {@value #OK} success, {@value #FAILED} the job failed or found
 * differences, {@value #USAGE} a usage or configuration error, {@value #REJECTS} a
 * migration completed but rejected records; a run stopped by Ctrl-C or SIGTERM, 128 + the
 * signal's number. Every failure ends in one {@code error:} line; {@code --debug} adds
 * its stack trace.
 */
public final class KeeperCommandLine {

	/** The job ran and found nothing wrong. */
	public static final int OK = 0;

	/** The job failed, or verification found differences. */
	public static final int FAILED = 1;

	/** The command line or the configuration is wrong. */
	public static final int USAGE = 2;

	/** A migration completed, but rejected records (they are in its rejects report). */
	public static final int REJECTS = 3;

	private static final String BASE_PACKAGE = "dev.workflowkeeper";

	private static List<Class<?>> jobCommands;

	private KeeperCommandLine() {
	}

	public static int run(String... args) {
		return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), Map.of(), args);
	}

	/**
	 * Runs one command.
	 * @param overrides settings that take precedence over the configuration files
	 */
	public static int run(PrintWriter out, PrintWriter err, Map<String, Object> overrides, String... args) {
		// read before parsing: logging starts with the application, before a command runs
		boolean debug = List.of(args).contains(RootCommand.DEBUG);
		CommandLine commandLine = commandLine(new Boot(out, err, overrides, debug));
		commandLine.setOut(out);
		commandLine.setErr(err);
		commandLine.setParameterExceptionHandler((ex, arguments) -> {
			err.println("error: " + parameterError(ex));
			err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
			return USAGE;
		});
		commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
			CommandErrors.print(err, ex, debug);
			return CommandErrors.exitCode(ex);
		});
		String[] effective = (args.length == 0) ? new String[] { "serve" } : args;
		int code = commandLine.execute(effective);
		out.flush();
		err.flush();
		return code;
	}

	/**
	 * Every command: the worker's own ({@link RootCommand}) and the jobs' commands found
	 * on the class path.
	 */
	static CommandLine commandLine(Boot boot) {
		Factory factory = new Factory(boot);
		CommandLine commandLine = new CommandLine(new RootCommand(), factory);
		for (Class<?> command : jobCommands()) {
			try {
				commandLine.addSubcommand(factory.create(command));
			}
			catch (Exception ex) {
				throw new IllegalStateException("cannot create the command " + command.getName(), ex);
			}
		}
		return commandLine;
	}

	/**
	 * The line for a command line that does not parse: for a job's command, an unknown
	 * option is told as the job tells any unknown option, with the one probably meant.
	 */
	static String parameterError(ParameterException ex) {
		if (ex instanceof UnmatchedArgumentException unmatched
				&& ex.getCommandLine().getCommand() instanceof JobCommand command && !unmatched.getUnmatched().isEmpty()
				&& unmatched.getUnmatched().get(0).startsWith("--")) {
			String given = unmatched.getUnmatched().get(0).split("=", 2)[0];
			List<String> known = ex.getCommandLine()
				.getCommandSpec()
				.options()
				.stream()
				.map(OptionSpec::longestName)
				.filter((name) -> !name.equals("--help") && !name.equals("--version")
						&& !name.equals(RootCommand.DEBUG))
				.toList();
			return JobOptions.unknownOption(command.jobName(), given, known);
		}
		return ex.getMessage();
	}

	/**
	 * The commands of the jobs' packages ({@link JobCommand}), sorted by name; found
	 * once.
	 */
	static synchronized List<Class<?>> jobCommands() {
		if (jobCommands == null) {
			ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(
					false) {
				@Override
				protected boolean isCandidateComponent(AnnotatedBeanDefinition definition) {
					return definition.getMetadata().isIndependent() && definition.getMetadata().isConcrete();
				}
			};
			scanner.addIncludeFilter(new AssignableTypeFilter(JobCommand.class));
			scanner.addIncludeFilter(new AnnotationTypeFilter(Command.class));
			List<Class<?>> found = new ArrayList<>();
			for (BeanDefinition candidate : scanner.findCandidateComponents(BASE_PACKAGE)) {
				Class<?> type = ClassUtils.resolveClassName(candidate.getBeanClassName(),
						KeeperCommandLine.class.getClassLoader());
				if (JobCommand.class.isAssignableFrom(type) && type.isAnnotationPresent(Command.class)) {
					found.add(type);
				}
			}
			found.sort(Comparator.comparing((Class<?> type) -> type.getAnnotation(Command.class).name()));
			jobCommands = List.copyOf(found);
		}
		return jobCommands;
	}

	/** Builds commands that take a {@link Boot}, and everything else the picocli way. */
	private record Factory(Boot boot) implements CommandLine.IFactory {

		@Override
		public <K> K create(Class<K> type) throws Exception {
			for (Constructor<?> constructor : type.getDeclaredConstructors()) {
				if (constructor.getParameterCount() == 1 && constructor.getParameterTypes()[0] == Boot.class) {
					constructor.setAccessible(true);
					return type.cast(constructor.newInstance(this.boot));
				}
			}
			return CommandLine.defaultFactory().create(type);
		}

	}

}
