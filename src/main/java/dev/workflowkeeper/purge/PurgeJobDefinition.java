package dev.workflowkeeper.purge;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobFigure;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.job.JobTexts;
import dev.workflowkeeper.job.OptionType;
import dev.workflowkeeper.maintenance.MaintenanceStores;
import dev.workflowkeeper.pace.PaceSettings;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
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
		List<JobOption> options = new ArrayList<>(List.of(MaintenanceStores.STORE_OPTION,
				JobOption.of(PurgeParameters.STALE_AFTER, OptionType.DURATION,
						"keeper.maintenance.stale-after (twice WORKFLOW_STATE_TTL)",
						"a state not updated for longer is stale"),
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
						"delete string values that are not JSON objects too")));
		options.addAll(PaceSettings.options());
		return options;
	}

	/** The pace: a resumed run goes on at the pace of the launch that resumes it. */
	@Override
	public Set<String> optionsRenewedOnResume() {
		return PaceSettings.NAMES;
	}

	@Override
	public JobParameters parameters(JobOptions options) {
		PurgeParameters purge = PurgeParameters.of(options, this.stores.storeOption(options), this.properties);
		PaceSettings pace = PaceSettings.read(options, this.properties.redis().pace());
		return pace.addTo(new JobParametersBuilder(purge.toJobParameters())).toJobParameters();
	}

	@Override
	public void validate(JobParameters parameters) {
		PurgeParameters.from(parameters);
		// read under the job's name, so that a refusal names the job
		PaceSettings.read(JobOptions.ofParameters(name(), parameters), this.properties.redis().pace());
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

	@Override
	public String describe(JobParameters parameters) {
		PurgeParameters purge = PurgeParameters.from(parameters);
		return "purge " + purge.store() + ", stale after " + JobTexts.duration(purge.staleAfter()) + ", finished after "
				+ JobTexts.duration(purge.terminalRetention()) + (purge.includeUnparseable() ? ", unparseable too" : "")
				+ (purge.archive() ? "" : ", not archived") + (purge.force() ? ", forced" : "");
	}

	/**
	 * {@code scanned 5,007, deleted 1,803}: the judging pass's scan, and what the delete
	 * pass deleted, or what a dry run would delete.
	 */
	@Override
	public String outcome(JobExecution execution) {
		ExecutionContext figures = execution.getExecutionContext();
		long stale = JobTexts.figure(figures, PurgeFigures.scan(PurgeFigures.STALE));
		long terminal = JobTexts.figure(figures, PurgeFigures.scan(PurgeFigures.TERMINAL));
		long unparseable = PurgeParameters.from(execution.getJobParameters()).includeUnparseable()
				? JobTexts.figure(figures, PurgeFigures.scan(PurgeFigures.UNPARSEABLE)) : 0;
		String line = "scanned " + JobTexts.count(JobTexts.figure(figures, PurgeFigures.scan(PurgeFigures.SCANNED)));
		if (dryRun(execution.getJobParameters())) {
			return line + ", would delete " + JobTexts.count(stale + terminal + unparseable) + " ("
					+ JobTexts.count(stale) + " stale, " + JobTexts.count(terminal) + " old finished"
					+ ((unparseable > 0) ? ", " + JobTexts.count(unparseable) + " unparseable" : "") + ")";
		}
		if (!figures.containsKey(PurgeFigures.delete(PurgeFigures.DELETED))) {
			long candidates = stale + terminal + unparseable;
			return line + ((candidates == 0) ? ", nothing to delete"
					: ", deleted 0 (" + JobTexts.count(candidates) + " judged deletable)");
		}
		long changed = JobTexts.figure(figures, PurgeFigures.delete(PurgeFigures.CHANGED_MEANWHILE));
		return line + ", deleted " + JobTexts.count(JobTexts.figure(figures, PurgeFigures.delete(PurgeFigures.DELETED)))
				+ ", archived " + JobTexts.count(JobTexts.figure(figures, PurgeFigures.delete(PurgeFigures.ARCHIVED)))
				+ ((changed > 0) ? ", kept " + JobTexts.count(changed) + " changed meanwhile" : "");
	}

}
