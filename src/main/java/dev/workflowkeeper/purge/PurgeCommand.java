package dev.workflowkeeper.purge;

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
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.context.ConfigurableApplicationContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code purge}: deletes stale and long-finished states, safely. */
@Command(name = "purge", mixinStandardHelpOptions = true, sortOptions = false, description = {
		"Delete stale and long-finished workflow states, each archived first.",
		"A state is stale when its updated_at is older than --stale-after, whatever its status; a finished state (completed, failed or cancelled) goes once its updated_at is older than --terminal-retention.",
		"Each state is archived before it is deleted, and deleted only if it is still exactly what was judged. A purge that would delete more than the allowed share of the scanned states (half, unless configured otherwise) stops without deleting anything, unless --force.",
		"Run with --dry-run first. The migrate command restores an archive to a store." },
		footer = { "", "Examples:", "  purge --store redis://localhost:6379/0 --dry-run",
				"  purge --stale-after 48h --terminal-retention 6h --dry-run",
				"  purge --store redis://localhost:6379/0 --stale-after 48h" })
class PurgeCommand implements Callable<Integer>, JobCommand {

	private final Boot boot;

	@Option(names = "--store", paramLabel = "URI",
			description = "The store. Default: REDIS_URL when USE_REDIS is true, otherwise the in-memory store (memory:).")
	String store;

	@Option(names = "--stale-after", paramLabel = "DURATION",
			description = "A state whose updated_at is older than this is stale and deleted, whatever its status, e.g. 48h or P2D. Default: twice WORKFLOW_STATE_TTL, unless the configuration sets keeper.maintenance.stale-after.")
	String staleAfter;

	@Option(names = "--terminal-retention", paramLabel = "DURATION",
			description = "How long a finished state (completed, failed or cancelled) is kept after its last update, e.g. 6h. Default: 24h, unless keeper.maintenance.terminal-retention is set.")
	String terminalRetention;

	@Option(names = "--dry-run", description = "Judge and count what would be deleted; delete nothing.")
	boolean dryRun;

	@Option(names = "--no-archive", negatable = false,
			description = "Delete without archiving the states first: they cannot be restored.")
	boolean noArchive;

	@Option(names = "--force",
			description = "Delete even when more than the allowed share of the scanned states would go.")
	boolean force;

	@Option(names = "--include-unparseable",
			description = "Delete string values that are not JSON objects too, archived base64-encoded. Keys of other types are never deleted.")
	boolean includeUnparseable;

	@Mixin
	PaceOptions pace = new PaceOptions();

	PurgeCommand(Boot boot) {
		this.boot = boot;
	}

	@Override
	public String jobName() {
		return PurgeJob.NAME;
	}

	@Override
	public Integer call() throws Exception {
		try (ConfigurableApplicationContext context = this.boot.oneOff()) {
			Map<String, Object> options = new LinkedHashMap<>();
			options.put("store", this.store);
			options.put("staleAfter", this.staleAfter);
			options.put("terminalRetention", this.terminalRetention);
			options.put("dryRun", this.dryRun);
			options.put("archive", !this.noArchive);
			options.put("force", this.force);
			options.put("includeUnparseable", this.includeUnparseable);
			this.pace.putInto(options);
			JobExecution execution = JobCommands.runOnStore(context, PurgeJob.NAME, options);
			if (execution.getStatus() != BatchStatus.COMPLETED) {
				return JobCommands.failed(this.boot, context, execution);
			}
			ExecutionContext c = execution.getExecutionContext();
			this.boot.out()
				.printf("purge %s: %s (execution %d)%s%n", execution.getJobParameters().getString("store"),
						execution.getStatus(), execution.getId(), this.dryRun ? " — dry run, nothing deleted" : "");
			this.boot.out()
				.printf("  scanned %,d  stale %,d  old finished %,d  unparseable %,d  without updated_at %,d  other types %,d%n",
						c.getLong(PurgeFigures.scan(PurgeFigures.SCANNED), 0),
						c.getLong(PurgeFigures.scan(PurgeFigures.STALE), 0),
						c.getLong(PurgeFigures.scan(PurgeFigures.TERMINAL), 0),
						c.getLong(PurgeFigures.scan(PurgeFigures.UNPARSEABLE), 0),
						c.getLong(PurgeFigures.scan(PurgeFigures.NO_UPDATED_AT), 0),
						c.getLong(PurgeFigures.scan(PurgeFigures.OTHER_TYPES), 0));
			if (!this.dryRun) {
				this.boot.out()
					.printf("  deleted %,d  changed meanwhile (kept) %,d  archived %,d%n",
							c.getLong(PurgeFigures.delete(PurgeFigures.DELETED), 0),
							c.getLong(PurgeFigures.delete(PurgeFigures.CHANGED_MEANWHILE), 0),
							c.getLong(PurgeFigures.delete(PurgeFigures.ARCHIVED), 0));
			}
			this.boot.out().flush();
			return KeeperCommandLine.OK;
		}
	}

}
