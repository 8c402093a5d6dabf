package dev.workflowkeeper.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.job.JobOption;

import org.springframework.context.ConfigurableApplicationContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code jobs}: every job the worker knows, with its options, as each job's definition
 * gives them.
 */
@Command(name = "jobs", mixinStandardHelpOptions = true, description = {
		"List the jobs the worker knows and the options each takes.",
		"These are the names that schedule files, POST /actuator/workflowjobs/{job} and 'run' use. Any job runs once with 'run JOB --option value'." },
		footer = { "", "Examples:", "  jobs", "  jobs purgeStatesJob" })
class JobsCommand implements Callable<Integer> {

	private final Boot boot;

	@Parameters(arity = "0..1", paramLabel = "JOB", description = "Show only this job.")
	String job;

	JobsCommand(Boot boot) {
		this.boot = boot;
	}

	@Override
	public Integer call() {
		try (ConfigurableApplicationContext context = this.boot.oneOff()) {
			JobDefinitions definitions = context.getBean(JobDefinitions.class);
			PrintWriter out = this.boot.out();
			if (this.job != null) {
				try {
					print(out, definitions.get(this.job));
				}
				catch (IllegalArgumentException ex) {
					throw new UserFacingException(KeeperCommandLine.USAGE, ex.getMessage());
				}
			}
			else {
				definitions.all().forEach((definition) -> print(out, definition));
			}
			out.flush();
			return KeeperCommandLine.OK;
		}
	}

	private static void print(PrintWriter out, JobDefinition definition) {
		out.printf("%s — %s%n", definition.name(), definition.title());
		for (JobOption option : definition.options()) {
			out.printf("  %-20s %-9s %-12s %s%n", option.name(),
					option.type().name().toLowerCase(java.util.Locale.ROOT),
					option.isRequired() ? "(required)" : "(" + option.defaultValue() + ")", option.help());
		}
		out.println();
	}

}
