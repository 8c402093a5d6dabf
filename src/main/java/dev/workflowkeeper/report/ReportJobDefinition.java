package dev.workflowkeeper.report;

import java.util.ArrayList;
import java.util.List;
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

/** {@value ReportJob#NAME}: its options and rules. */
@Component
class ReportJobDefinition implements JobDefinition {

	private final MaintenanceStores stores;

	private final KeeperProperties properties;

	ReportJobDefinition(MaintenanceStores stores, KeeperProperties properties) {
		this.stores = stores;
		this.properties = properties;
	}

	@Override
	public String name() {
		return ReportJob.NAME;
	}

	@Override
	public String title() {
		return "Report the memory, TTLs, statuses and ages of the workflow states of a store";
	}

	@Override
	public List<JobOption> options() {
		List<JobOption> options = new ArrayList<>(List.of(MaintenanceStores.STORE_OPTION,
				JobOption.of(ReportParameters.VALUES, OptionType.BOOLEAN, "true",
						"read the values for the status and age figures; false: MEMORY USAGE and TTL alone"),
				JobOption.of(ReportParameters.SAMPLE, OptionType.TEXT, "the whole keyspace",
						"estimate from part of the keyspace: a share (0.1, 10%) or a number of keys (100000)")));
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
		ReportParameters report = new ReportParameters(this.stores.storeOption(options),
				options.bool(ReportParameters.VALUES, true), ReportParameters.sample(options));
		PaceSettings pace = PaceSettings.read(options, this.properties.redis().pace());
		return pace.addTo(new JobParametersBuilder(report.toJobParameters())).toJobParameters();
	}

	@Override
	public void validate(JobParameters parameters) {
		ReportParameters.from(parameters);
		// read under the job's name, so that a refusal names the job
		PaceSettings.read(JobOptions.ofParameters(name(), parameters), this.properties.redis().pace());
	}

	@Override
	public List<JobFigure> figures() {
		return List.of(JobFigure.shown(ReportSaver.KEYS, "keys"),
				JobFigure.shown(ReportSaver.MEMORY_BYTES, "memory (bytes)"),
				JobFigure.shown(ReportSaver.KEYS_WITHOUT_TTL, "keys without a TTL"),
				JobFigure.shown(ReportSaver.KEYS_ABOVE_MAX_TTL, "keys above the maximum TTL"),
				JobFigure.shown(ReportSaver.STALE_KEYS, "stale keys"),
				JobFigure.shown(ReportSaver.UNPARSEABLE, "unparseable"),
				JobFigure.shown(ReportSaver.SAMPLE_KEYS_READ, "keys read by a sample"));
	}

	@Override
	public String describe(JobParameters parameters) {
		ReportParameters report = ReportParameters.from(parameters);
		return "memory report of " + report.store() + (report.values() ? "" : ", without reading the values")
				+ ((report.sample() != null) ? ", estimated from " + report.sample().describe() : "");
	}

	/**
	 * {@code keys 1,500, memory 3.8 MiB}, and the keys a TTL rule misses, if any; for a
	 * sample, what it was estimated from: {@code estimated from a 10% sample}.
	 */
	@Override
	public String outcome(JobExecution execution) {
		ExecutionContext figures = execution.getExecutionContext();
		if (!figures.containsKey(ReportSaver.KEYS)) {
			return "";
		}
		String estimated = figures.containsKey(ReportSaver.SAMPLE_SHARE) ? "estimated from a "
				+ ReportSample.percent(Double.parseDouble(figures.getString(ReportSaver.SAMPLE_SHARE))) + " sample: "
				: "";
		long withoutTtl = JobTexts.figure(figures, ReportSaver.KEYS_WITHOUT_TTL);
		long aboveMax = JobTexts.figure(figures, ReportSaver.KEYS_ABOVE_MAX_TTL);
		return estimated + "keys " + JobTexts.count(JobTexts.figure(figures, ReportSaver.KEYS)) + ", memory "
				+ JobTexts.bytes(JobTexts.figure(figures, ReportSaver.MEMORY_BYTES))
				+ ((withoutTtl > 0) ? ", " + JobTexts.count(withoutTtl) + " without a TTL" : "")
				+ ((aboveMax > 0) ? ", " + JobTexts.count(aboveMax) + " above the maximum TTL" : "");
	}

}
