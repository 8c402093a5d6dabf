package dev.workflowkeeper.cli;

/**
 * Marks a picocli command that lives in a job's package: the command line finds such
 * commands on the class path and adds them as subcommands, so that a job's command sits
 * beside the job and nothing in {@code cli/} names it. A command takes a {@link Boot} in
 * its constructor.
 */
public interface JobCommand {

	/** The name of the job the command runs, as its refusals name it. */
	String jobName();

}
