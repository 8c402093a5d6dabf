package dev.workflowkeeper.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code workflow-keeper} command: the worker's own subcommands here, and the
 * commands of the jobs ({@link JobCommand}), which {@link KeeperCommandLine} finds in the
 * jobs' packages.
 */
@Command(name = "workflow-keeper", mixinStandardHelpOptions = true, version = "workflow-keeper 0.1.0",
		description = { "Migrates and maintains the document-workflow states of a Redis or in-memory store.",
				"Without a command it runs 'serve'. Every command explains itself with --help." },
		subcommands = { ServeCommand.class, HistoryCommand.class, JobsCommand.class, RunCommand.class })
class RootCommand {

	/** The option that shows a failure's stack trace; every command takes it. */
	static final String DEBUG = "--debug";

	@Option(names = DEBUG, scope = ScopeType.INHERIT,
			description = "On failure, show the stack trace after the error line (and in the logs).")
	boolean debug;

}
