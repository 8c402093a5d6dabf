package dev.workflowkeeper.report;

import java.util.HashMap;
import java.util.Map;

import dev.workflowkeeper.maintenance.MaintenanceStores;

import dev.workflowkeeper.batch.JobRunner;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
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

	private final ReportJobDefinition definition;

	ReportJob(Job reportMemoryJob, JobRunner jobRunner, ReportJobDefinition definition) {
		this.reportMemoryJob = reportMemoryJob;
		this.jobRunner = jobRunner;
		this.definition = definition;
	}

	/**
	 * Reports on {@code store} (or the default store when {@code null}); {@code values}
	 * reads the values for the status and age figures. The options go through the job's
	 * definition.
	 */
	public JobExecution run(String store, boolean values) throws Exception {
		Map<String, Object> options = new HashMap<>();
		options.put(MaintenanceStores.STORE, store);
		options.put(ReportParameters.VALUES, values);
		return run(this.definition.parametersOf(options));
	}

	/**
	 * Runs a report with the parameters its definition made of the options of the
	 * command.
	 */
	public JobExecution run(JobParameters parameters) throws Exception {
		return this.jobRunner.run(this.reportMemoryJob, parameters);
	}

	/**
	 * The report a completed execution made, in its JSON form; empty when it made none.
	 */
	public static Map<String, Object> report(JobExecution execution) {
		String json = execution.getExecutionContext().getString(ReportSaver.REPORT_JSON, null);
		return (json != null) ? JSON.readValue(json, new TypeReference<Map<String, Object>>() {
		}) : Map.of();
	}

}
