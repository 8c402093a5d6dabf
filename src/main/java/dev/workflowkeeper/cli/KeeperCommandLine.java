package dev.workflowkeeper.cli;

import java.io.PrintWriter;

import picocli.CommandLine;

/**
 * Entry point of the command line: parses the arguments with picocli, and hands each command to the
 * application it boots. Exit codes: 0 success, 1 the job failed or found differences, 2 a usage or
 * configuration error.
 */
public final class KeeperCommandLine {

	/** The job ran and found nothing wrong. */
	public static final int OK = 0;

	/** The job failed, or verification found differences. */
	public static final int FAILED = 1;

	/** The command line or the configuration is wrong. */
	public static final int USAGE = 2;

	private KeeperCommandLine() {
	}

	public static int run(String... args) {
		return run(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
	}

	public static int run(PrintWriter out, PrintWriter err, String... args) {
		CommandLine commandLine = new CommandLine(new RootCommand());
		commandLine.setOut(out);
		commandLine.setErr(err);
		commandLine.setExitCodeExceptionMapper((ex) -> FAILED);
		commandLine.setParameterExceptionHandler((ex, arguments) -> {
			err.println("error: " + ex.getMessage());
			err.println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
			return USAGE;
		});
		commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
			err.println("error: " + CommandErrors.oneLine(ex));
			return CommandErrors.exitCode(ex);
		});
		String[] effective = (args.length == 0) ? new String[] { "serve" } : args;
		return commandLine.execute(effective);
	}

}
