package dev.workflowkeeper.purge;

import java.util.List;
import java.util.Map;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobFigure;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.job.OptionType;
import dev.workflowkeeper.maintenance.MaintenanceStores;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.stereotype.Component;

/** {@value PurgeJob#NAME}: its options, rules and figures. */
@Component
class PurgeJobDefinition implements JobDefinition {

	/** The counter of the states the job deleted. */
	static final String STATES_PURGED = "workflowkeeper.states.purged";

	private final MaintenanceStores stores;

	private final KeeperProperties properties;

	PurgeJobDefinition(MaintenanceStores stores, KeeperProperties properties) {
		this.stores = stores;
		this.properties = properties;
	}

	@Override
	public String name() {
		return PurgeJob.NAME;
	}

	@Override
	public String title() {
		return "Delete stale and long-finished states, archived first, compare-and-delete";
	}

	@Override
	public List<JobOption> options() {
		return List.of(MaintenanceStores.STORE_OPTION, JobOption.of(PurgeParameters.STALE_AFTER, OptionType.DURATION,
				"keeper.maintenance.stale-after (twice WORKFLOW_STATE_TTL)", "a state not updated for longer is stale"),
				JobOption.of(PurgeParameters.TERMINAL_RETENTION, OptionType.DURATION,
						"keeper.maintenance.terminal-retention",
						"how long finished states (completed, failed, cancelled) are kept"),
				JobOption.of(PurgeParameters.MAX_SHARE, OptionType.NUMBER, "keeper.maintenance.purge-max-share",
						"a purge that would delete a larger share of the states stops without deleting, unless forced"),
				JobOption.of(PurgeParameters.DRY_RUN, OptionType.BOOLEAN, "false", "judge and count, delete nothing"),
				JobOption.of(PurgeParameters.ARCHIVE, OptionType.BOOLEAN, "true",
						"archive each state before deleting it"),
				JobOption.of(PurgeParameters.FORCE, OptionType.BOOLEAN, "false", "delete even past the share guard"),
				JobOption.of(PurgeParameters.INCLUDE_UNPARSEABLE, OptionType.BOOLEAN, "false",
						"delete string values that are not JSON objects too"));
	}

	@Override
	public JobParameters parameters(JobOptions options) {
		return PurgeParameters.of(options, this.stores.storeOption(options), this.properties).toJobParameters();
	}

	@Override
	public void validate(JobParameters parameters) {
		PurgeParameters.from(parameters);
	}

	@Override
	public List<JobFigure> figures() {
		return List.of(JobFigure.shown(PurgeFigures.scan(PurgeFigures.SCANNED), "scanned"),
				JobFigure.shown(PurgeFigures.scan(PurgeFigures.STALE), "stale"),
				JobFigure.shown(PurgeFigures.scan(PurgeFigures.TERMINAL), "old finished"),
				JobFigure.counted(PurgeFigures.delete(PurgeFigures.DELETED), "deleted", STATES_PURGED, Map.of(),
						"Workflow states purgeStatesJob deleted"),
				JobFigure.shown(PurgeFigures.delete(PurgeFigures.CHANGED_MEANWHILE), "changed meanwhile (kept)"),
				JobFigure.shown(PurgeFigures.delete(PurgeFigures.ARCHIVED), "archived"),
				JobFigure.shown(PurgeFigures.delete(PurgeFigures.DELETED_BEFORE_RESTART),
						"deleted by the interrupted run (counted in deleted)"));
	}

}
