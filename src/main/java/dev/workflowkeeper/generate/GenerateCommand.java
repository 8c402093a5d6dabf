package dev.workflowkeeper.generate;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.cli.Boot;
import dev.workflowkeeper.cli.JobCommand;
import dev.workflowkeeper.cli.JobCommands;
import dev.workflowkeeper.cli.KeeperCommandLine;
import dev.workflowkeeper.cli.PaceOptions;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.context.ConfigurableApplicationContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code generate}: writes realistic sample states to a store. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false, description = {
		"Write realistic sample workflow states, for trying the worker out and for benchmarks.",
		"States are about 2–3 KB (one in a thousand of 100–200 KB), with mixed statuses and ages. The same seed writes the same states." },
		footer = { "", "Examples:", "  generate --to redis://localhost:6379/0 --count 10000",
				"  generate --to snapshot:states.json --count 1000000 --map" })
class GenerateCommand implements Callable<Integer>, JobCommand {

	private final Boot boot;

	@Option(names = "--to", required = true, paramLabel = "URI",
			description = "The store to write to, e.g. redis://localhost:6379/0 or snapshot:states.json.")
	String to;

	@Option(names = "--count", required = true, paramLabel = "N", description = "How many states to write.")
	String count;

	@Option(names = "--seed", paramLabel = "S",
			description = "The random seed: the same seed writes the same states. Default: 1.")
	String seed;

	@Option(names = "--map",
			description = "For a snapshot: write one JSON object {thread_id: state}, as the service's json.dump does, instead of JSON Lines.")
	boolean map;

	@Mixin
	PaceOptions pace = new PaceOptions();

	GenerateCommand(Boot boot) {
		this.boot = boot;
	}

	@Override
	public String jobName() {
		return GenerateJob.NAME;
	}

	@Override
	public Integer call() throws Exception {
		try (ConfigurableApplicationContext context = this.boot.oneOff()) {
			Map<String, Object> options = new LinkedHashMap<>();
			options.put("to", this.to);
			options.put("count", this.count);
			options.put("seed", this.seed);
			options.put("map", this.map);
			this.pace.putInto(options);
			JobParameters parameters = JobCommands.parameters(context, GenerateJob.NAME, options);
			JobCommands.claimMemoryStore(context, parameters);
			// a resumed run is not checked again: its target holds part of its states
			if (!context.getBean(JobRunner.class).resumes(context.getBean(GenerateJob.NAME, Job.class), parameters)) {
				JobCommands.preflight(context, GenerateJob.NAME, parameters);
			}
			JobExecution execution = context.getBean(GenerateJob.class).run(parameters, System.currentTimeMillis());
			long written = execution.getStepExecutions().stream().mapToLong((s) -> s.getWriteCount()).sum();
			this.boot.out()
				.printf("generate → %s: %s (execution %d), %,d states%n", parameters.getString("to"),
						execution.getStatus(), execution.getId(), written);
			this.boot.out().flush();
			if (execution.getStatus() != BatchStatus.COMPLETED) {
				return JobCommands.failure(this.boot, context, execution);
			}
			return KeeperCommandLine.OK;
		}
	}

}
