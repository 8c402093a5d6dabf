package dev.workflowkeeper.report;

import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.maintenance.MaintenanceStores;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * The options of one memory report.
 *
 * @param store the store, masked ({@link MaintenanceStores#parameter})
 * @param values read the values for the status and age figures; {@code false} reports
 * from MEMORY USAGE and TTL alone
 */
public record ReportParameters(String store, boolean values) {

	static final String VALUES = "values";

	/** The identifying job parameters of these options. */
	public JobParameters toJobParameters() {
		return new JobParametersBuilder().addString(MaintenanceStores.STORE, this.store)
			.addString(VALUES, Boolean.toString(this.values))
			.toJobParameters();
	}

	/**
	 * Reads the options back from job parameters.
	 * @throws dev.workflowkeeper.job.JobOptionException when one is missing or of the
	 * wrong kind
	 */
	public static ReportParameters from(JobParameters parameters) {
		JobOptions stored = JobOptions.ofParameters(ReportJob.NAME, parameters);
		return new ReportParameters(MaintenanceStores.storeParameter(stored), stored.bool(VALUES, null));
	}

}
