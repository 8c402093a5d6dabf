package dev.workflowkeeper.ttl;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import dev.workflowkeeper.cli.Boot;
import dev.workflowkeeper.cli.JobCommand;
import dev.workflowkeeper.cli.JobCommands;
import dev.workflowkeeper.cli.KeeperCommandLine;
import dev.workflowkeeper.cli.PaceOptions;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.context.ConfigurableApplicationContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code enforce-ttl}: gives every state a TTL no longer than the maximum. */
@Command(name = "enforce-ttl", mixinStandardHelpOptions = true, sortOptions = false, description = {
		"Give workflow states without a TTL one, and cap TTLs above the maximum.",
		"A state without a TTL gets the service's TTL (WORKFLOW_STATE_TTL). Each key is changed atomically, and a state the service refreshed meanwhile keeps what the service set.",
		"The expiries set are spread below the TTL given (--spread), each key at its own place, so that they do not all fall in the same second a day later; none is ever above the maximum." },
		footer = { "", "Examples:", "  enforce-ttl --store redis://localhost:6379/0 --dry-run",
				"  enforce-ttl --store redis://localhost:6379/0 --max-ttl 24h --from-age" })
class EnforceTtlCommand implements Callable<Integer>, JobCommand {

	private final Boot boot;

	@Option(names = "--store", paramLabel = "URI",
			description = "The store. Default: REDIS_URL when USE_REDIS is true, otherwise the in-memory store (memory:).")
	String store;

	@Option(names = "--max-ttl", paramLabel = "DURATION",
			description = "The longest TTL a state may keep, e.g. 24h; never shorter than WORKFLOW_STATE_TTL. Default: WORKFLOW_STATE_TTL.")
	String maxTtl;

	@Option(names = "--spread", paramLabel = "DURATION",
			description = "Spread the expiries set over this window below the TTL given, e.g. 30m, so that they do not all fall in the same second; 0 for none, at most half of WORKFLOW_STATE_TTL. Default: a tenth of WORKFLOW_STATE_TTL, at most 1h.")
	String spread;

	@Option(names = "--from-age",
			description = "Give a state without a TTL what its updated_at leaves of the service's TTL, instead of a full one.")
	boolean fromAge;

	@Option(names = "--dry-run", description = "Count what would change; change nothing.")
	boolean dryRun;

	@Mixin
	PaceOptions pace = new PaceOptions();

	EnforceTtlCommand(Boot boot) {
		this.boot = boot;
	}

	@Override
	public String jobName() {
		return EnforceTtlJob.NAME;
	}

	@Override
	public Integer call() throws Exception {
		try (ConfigurableApplicationContext context = this.boot.oneOff()) {
			Map<String, Object> options = new LinkedHashMap<>();
			options.put("store", this.store);
			options.put("maxTtl", this.maxTtl);
			options.put("spread", this.spread);
			options.put("fromAge", this.fromAge);
			options.put("dryRun", this.dryRun);
			this.pace.putInto(options);
			JobExecution execution = JobCommands.runOnStore(context, EnforceTtlJob.NAME, options);
			if (execution.getStatus() != BatchStatus.COMPLETED) {
				return JobCommands.failed(this.boot, context, execution);
			}
			var c = execution.getExecutionContext();
			this.boot.out()
				.printf("enforce-ttl %s: %s (execution %d)%s%n", execution.getJobParameters().getString("store"),
						execution.getStatus(), execution.getId(), this.dryRun ? " — dry run, nothing changed" : "");
			this.boot.out()
				.printf("  checked %,d  %s %,d  %s %,d  untouched %,d  changed meanwhile or gone %,d  other types %,d%n",
						c.getLong(TtlFigures.key(TtlFigures.CHECKED), 0),
						this.dryRun ? "would fix missing" : "fixed missing",
						c.getLong(TtlFigures.key(TtlFigures.FIXED_MISSING), 0), this.dryRun ? "would cap" : "capped",
						c.getLong(TtlFigures.key(TtlFigures.CAPPED), 0),
						c.getLong(TtlFigures.key(TtlFigures.UNTOUCHED), 0),
						c.getLong(TtlFigures.key(TtlFigures.CHANGED_OR_GONE), 0),
						c.getLong(TtlFigures.key(TtlFigures.OTHER_TYPES), 0));
			this.boot.out().flush();
			return KeeperCommandLine.OK;
		}
	}

}
