package dev.workflowkeeper.cli;

import picocli.CommandLine.Command;

/** The {@code workflow-keeper} command and its subcommands. */
@Command(name = "workflow-keeper", mixinStandardHelpOptions = true, version = "workflow-keeper 0.1.0",
		description = "Migrates and maintains the document-workflow states of a Redis or in-memory store.",
		subcommands = { ServeCommand.class, MigrateCommand.class, HistoryCommand.class, GenerateCommand.class,
				ReportCommand.class, EnforceTtlCommand.class, PurgeCommand.class, JobsCommand.class, RunCommand.class })
class RootCommand {

}
