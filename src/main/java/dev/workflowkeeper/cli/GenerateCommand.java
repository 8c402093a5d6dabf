package dev.workflowkeeper.cli;

import java.util.concurrent.Callable;

import dev.workflowkeeper.generate.GenerateJob;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code generate}: writes realistic sample states to a store. */
@Command(name = "generate", mixinStandardHelpOptions = true,
		description = { "Write realistic sample workflow states (≈2–3 KB, 1 in 1,000 of 100–200 KB, mixed statuses and ages).",
				"For trying the worker out and for benchmarks." },
		footer = { "", "Examples:", "  generate --to redis://localhost:6379/0 --count 10000",
				"  generate --to snapshot:states.json --count 1000000 --map   (the service's json.dump format)" })
class GenerateCommand implements Callable<Integer> {

	private final Boot boot;

	@Option(names = "--to", required = true, paramLabel = "URI", description = "The store to write to.")
	String to;

	@Option(names = "--count", required = true, paramLabel = "N", description = "How many states.")
	long count;

	@Option(names = "--seed", defaultValue = "1", paramLabel = "S", description = "Random seed (default ${DEFAULT-VALUE}).")
	long seed;

	@Option(names = "--map", description = "For a snapshot: write one JSON object {thread_id: state} as the service's json.dump does, instead of JSON Lines.")
	boolean map;

	GenerateCommand(Boot boot) {
		this.boot = boot;
	}

	@Override
	public Integer call() throws Exception {
		if (this.count <= 0) {
			throw new UserFacingException(KeeperCommandLine.USAGE, "--count must be a positive number");
		}
		StoreUri target;
		try {
			target = StoreUri.parse(this.to);
		}
		catch (IllegalArgumentException ex) {
			throw new UserFacingException(KeeperCommandLine.USAGE, ex.getMessage());
		}
		try (ConfigurableApplicationContext context = this.boot.oneOff()) {
			JobExecution execution = context.getBean(GenerateJob.class)
				.run(target, this.count, this.seed, this.map, System.currentTimeMillis());
			long written = execution.getStepExecutions().stream().mapToLong((s) -> s.getWriteCount()).sum();
			this.boot.out().printf("generate → %s: %s (execution %d), %,d states%n", target.masked(), execution.getStatus(),
					execution.getId(), written);
			if (execution.getStatus() != BatchStatus.COMPLETED) {
				execution.getAllFailureExceptions()
					.stream()
					.findFirst()
					.ifPresent((ex) -> this.boot.err().println("error: " + CommandErrors.oneLine(ex)));
				return KeeperCommandLine.FAILED;
			}
			return KeeperCommandLine.OK;
		}
	}

}
