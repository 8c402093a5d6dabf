package dev.workflowkeeper.retention;

import java.util.List;

import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobFigure;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.job.JobTexts;
import dev.workflowkeeper.job.OptionType;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.stereotype.Component;

/** {@value PruneHistoryJobConfiguration#JOB_NAME}: its option and figures. */
@Component
class PruneHistoryJobDefinition implements JobDefinition {

	@Override
	public String name() {
		return PruneHistoryJobConfiguration.JOB_NAME;
	}

	@Override
	public String title() {
		return "Delete old job history, archives and rejects files (keeper.retention.*)";
	}

	@Override
	public List<JobOption> options() {
		return List.of(JobOption.of(PruneHistoryParameters.DRY_RUN, OptionType.BOOLEAN, "false",
				"count what would be deleted, delete nothing"));
	}

	@Override
	public JobParameters parameters(JobOptions options) {
		return new PruneHistoryParameters(options.bool(PruneHistoryParameters.DRY_RUN, false)).toJobParameters();
	}

	@Override
	public void validate(JobParameters parameters) {
		PruneHistoryParameters.from(parameters);
	}

	@Override
	public List<JobFigure> figures() {
		return List.of(JobFigure.shown(ExpiredInstancesTasklet.DELETED, "history instances deleted"),
				JobFigure.shown(ExpiredInstancesTasklet.KEPT, "history instances kept"),
				JobFigure.shown(ExpiredFilesTasklet.DELETED, "files deleted"));
	}

	@Override
	public String describe(JobParameters parameters) {
		PruneHistoryParameters.from(parameters);
		return "prune the job history, archives and rejects files past their retention";
	}

	/** {@code deleted 40 history instances (12 kept), 3 files}, or "would delete". */
	@Override
	public String outcome(JobExecution execution) {
		ExecutionContext figures = execution.getExecutionContext();
		return (dryRun(execution.getJobParameters()) ? "would delete " : "deleted ")
				+ JobTexts.count(JobTexts.figure(figures, ExpiredInstancesTasklet.DELETED)) + " history instances ("
				+ JobTexts.count(JobTexts.figure(figures, ExpiredInstancesTasklet.KEPT)) + " kept), "
				+ JobTexts.count(JobTexts.figure(figures, ExpiredFilesTasklet.DELETED)) + " files";
	}

}
