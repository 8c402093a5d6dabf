package dev.workflowkeeper.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.job.JobFigure;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.job.OptionType;
import dev.workflowkeeper.maintenance.MaintenanceStores;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStores;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.context.ConfigurableApplicationContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

/**
 * {@code run JOB --option value…}: runs any job once, with its options as its definition
 * names them ({@code --stale-after} or {@code --staleAfter}); running the same command
 * again after a failure resumes it, as every one-off command does.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = {
		"Run any job once with its options (see 'jobs').",
		"Options are given as --name value or --name=value, the name in camelCase or kebab-case; a boolean option alone means true. They are read and refused exactly as a schedule file or POST /actuator/workflowjobs/{job} reads them.",
		"Running the same command again after a failure resumes the run." },
		footer = { "", "Examples:", "  run pruneHistoryJob --dry-run true",
				"  run reportMemoryJob --store memory: --values false" })
class RunCommand implements Callable<Integer> {

	private final Boot boot;

	@Parameters(index = "0", paramLabel = "JOB", description = "The job's name (see 'jobs').")
	String job;

	@Unmatched
	List<String> arguments = new ArrayList<>();

	RunCommand(Boot boot) {
		this.boot = boot;
	}

	@Override
	public Integer call() throws Exception {
		try (ConfigurableApplicationContext context = this.boot.oneOff()) {
			JobDefinitions definitions = context.getBean(JobDefinitions.class);
			JobDefinition definition;
			try {
				definition = definitions.get(this.job);
			}
			catch (IllegalArgumentException ex) {
				throw new UserFacingException(KeeperCommandLine.USAGE, ex.getMessage());
			}
			Map<String, Object> options = options(definition, this.arguments);
			JobParameters parameters = JobCommands.parameters(context, definition.name(), options);
			preflight(context, definition, options);
			JobCommands.claimMemoryStore(context, parameters);
			Job job = context.getBean(definition.name(), Job.class);
			JobRunner runner = context.getBean(JobRunner.class);
			if (!runner.resumes(job, parameters)) {
				JobCommands.preflight(context, definition.name(), parameters);
			}
			JobExecution execution = runner.run(job, parameters);
			if (execution.getStatus() != BatchStatus.COMPLETED) {
				return JobCommands.failed(this.boot, context, execution);
			}
			this.boot.out()
				.printf("%s: %s (execution %d)%n", definition.name(), execution.getStatus(), execution.getId());
			ExecutionContext figures = execution.getExecutionContext();
			for (JobFigure figure : definition.figures()) {
				if (figures.containsKey(figure.key())) {
					this.boot.out().printf("  %s %s%n", figure.label(), figures.get(figure.key()));
				}
			}
			this.boot.out().flush();
			int code = definition.exitCode(execution);
			if (code == KeeperCommandLine.FAILED) {
				this.boot.err()
					.printf("error: %s completed with %s (execution %d): %s%n", definition.name(),
							execution.getExitStatus().getExitCode(), execution.getId(),
							execution.getExitStatus().getExitDescription());
				this.boot.err().flush();
			}
			else if (code != KeeperCommandLine.OK) {
				this.boot.out()
					.printf("%s: %s: %s%n", definition.name(), execution.getExitStatus().getExitCode(),
							execution.getExitStatus().getExitDescription());
				this.boot.out().flush();
			}
			return code;
		}
	}

	/**
	 * Opens each store the options name once (a maintenance job's default store when it
	 * names none), so that an unreachable Redis or a refused password fails in one line
	 * before the job starts, as it does for the job's own command.
	 */
	private static void preflight(ConfigurableApplicationContext context, JobDefinition definition,
			Map<String, Object> options) {
		for (JobOption option : definition.options()) {
			if (option.type() != OptionType.STORE) {
				continue;
			}
			Object value = options.get(option.name());
			if (MaintenanceStores.STORE.equals(option.name())) {
				JobCommands.preflight(context, (value != null) ? value.toString() : null);
			}
			else if (value != null) {
				try {
					context.getBean(WorkflowStores.class).open(StoreUri.parse(value.toString())).close();
				}
				catch (RuntimeException ex) {
					throw new UserFacingException(KeeperCommandLine.USAGE, CommandErrors.oneLine(ex), ex);
				}
			}
		}
	}

	/**
	 * The options of the arguments: {@code --name value}, {@code --name=value}, the name
	 * in camelCase or kebab-case; a known boolean option alone means true.
	 */
	static Map<String, Object> options(JobDefinition definition, List<String> arguments) {
		Map<String, Object> options = new LinkedHashMap<>();
		for (int i = 0; i < arguments.size(); i++) {
			String argument = arguments.get(i);
			if (!argument.startsWith("--") || argument.length() == 2) {
				throw new UserFacingException(KeeperCommandLine.USAGE,
						definition.name() + ": expected an option such as --name value, not '" + argument + "'");
			}
			String name = argument.substring(2);
			String value = null;
			int equals = name.indexOf('=');
			if (equals >= 0) {
				value = name.substring(equals + 1);
				name = name.substring(0, equals);
			}
			String optionName = optionName(definition, name);
			if (value == null) {
				boolean flag = definition.options()
					.stream()
					.anyMatch((option) -> option.name().equals(optionName) && option.type() == OptionType.BOOLEAN);
				if (i + 1 < arguments.size() && !arguments.get(i + 1).startsWith("--")) {
					value = arguments.get(++i);
				}
				else if (flag) {
					value = "true";
				}
				else {
					throw new UserFacingException(KeeperCommandLine.USAGE,
							definition.name() + ": option " + optionName + " needs a value");
				}
			}
			options.put(optionName, value);
		}
		return options;
	}

	/**
	 * The job's name of an option given in kebab-case; an unknown one is left as given,
	 * for the job to refuse.
	 */
	private static String optionName(JobDefinition definition, String given) {
		for (JobOption option : definition.options()) {
			if (option.name().equals(given) || option.commandLineName().equals("--" + given)) {
				return option.name();
			}
		}
		return given;
	}

}
