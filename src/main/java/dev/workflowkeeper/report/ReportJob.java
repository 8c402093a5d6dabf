package dev.workflowkeeper.report;

import java.util.Map;

import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.maintenance.MaintenanceStores;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.stereotype.Component;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Runs the memory report for a store; a failed report of the same options is resumed. */
@Component
public class ReportJob {

	/** The job's name in the history database. */
	public static final String NAME = "reportMemoryJob";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final Job reportMemoryJob;

	private final JobRunner jobRunner;

	private final MaintenanceStores stores;

	public ReportJob(Job reportMemoryJob, JobRunner jobRunner, MaintenanceStores stores) {
		this.reportMemoryJob = reportMemoryJob;
		this.jobRunner = jobRunner;
		this.stores = stores;
	}

	/**
	 * Reports on {@code store} (or the default store when {@code null}); {@code values} reads the
	 * values for the status and age figures.
	 */
	public JobExecution run(String store, boolean values) throws Exception {
		return this.jobRunner.run(this.reportMemoryJob, parameters(this.stores.parameter(store), values));
	}

	/**
	 * The parameters of a report, as the command and the operator's launch record them.
	 * @param store the store parameter ({@link MaintenanceStores#parameter})
	 */
	public static JobParameters parameters(String store, boolean values) {
		return new JobParametersBuilder().addString(MaintenanceStores.STORE, store)
			.addString("values", Boolean.toString(values))
			.toJobParameters();
	}

	/** The report a completed execution made, in its JSON form; empty when it made none. */
	public static Map<String, Object> report(JobExecution execution) {
		String json = execution.getExecutionContext().getString(ReportSaver.REPORT_JSON, null);
		return (json != null) ? JSON.readValue(json, new TypeReference<Map<String, Object>>() {
		}) : Map.of();
	}

}
