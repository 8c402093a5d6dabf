package dev.workflowkeeper.testjob;

import java.util.Collections;
import java.util.concurrent.Callable;

import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.cli.Boot;
import dev.workflowkeeper.cli.JobCommand;
import dev.workflowkeeper.cli.JobCommands;
import dev.workflowkeeper.cli.KeeperCommandLine;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.context.ConfigurableApplicationContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code countdown}: the countdown test job's own command, found in this package alone.
 */
@Command(name = "countdown", mixinStandardHelpOptions = true, description = "Count down (a job of the tests).")
class CountdownCommand implements Callable<Integer>, JobCommand {

	private final Boot boot;

	@Option(names = "--from", paramLabel = "N", description = "Where to start. Default: 3.")
	String from;

	CountdownCommand(Boot boot) {
		this.boot = boot;
	}

	@Override
	public String jobName() {
		return CountdownJobDefinition.NAME;
	}

	@Override
	public Integer call() throws Exception {
		try (ConfigurableApplicationContext context = this.boot.oneOff()) {
			JobParameters parameters = JobCommands.parameters(context, CountdownJobDefinition.NAME,
					Collections.singletonMap(CountdownParameters.FROM, this.from));
			JobExecution execution = context.getBean(JobRunner.class)
				.run(context.getBean(CountdownJobDefinition.NAME, Job.class), parameters);
			if (execution.getStatus() != BatchStatus.COMPLETED) {
				return JobCommands.failed(this.boot, execution);
			}
			this.boot.out()
				.printf("counted down from %d%n",
						execution.getExecutionContext().getLong(CountdownJobDefinition.COUNTED));
			this.boot.out().flush();
			return KeeperCommandLine.OK;
		}
	}

}
