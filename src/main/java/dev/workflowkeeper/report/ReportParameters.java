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
 * @param sample the part of the keyspace to read, from which the figures are estimated;
 * {@code null} for the whole keyspace
 */
public record ReportParameters(String store, boolean values, ReportSample sample) {

	static final String VALUES = "values";

	static final String SAMPLE = "sample";

	/** A report of the whole keyspace. */
	public ReportParameters(String store, boolean values) {
		this(store, values, null);
	}

	/**
	 * The identifying job parameters of these options; a report of the whole keyspace has
	 * no {@code sample}, as before the option existed.
	 */
	public JobParameters toJobParameters() {
		JobParametersBuilder parameters = new JobParametersBuilder().addString(MaintenanceStores.STORE, this.store)
			.addString(VALUES, Boolean.toString(this.values));
		if (this.sample != null) {
			parameters.addString(SAMPLE, this.sample.canonical());
		}
		return parameters.toJobParameters();
	}

	/**
	 * Reads the options back from job parameters.
	 * @throws dev.workflowkeeper.job.JobOptionException when one is missing or of the
	 * wrong kind
	 */
	public static ReportParameters from(JobParameters parameters) {
		JobOptions stored = JobOptions.ofParameters(ReportJob.NAME, parameters);
		return new ReportParameters(MaintenanceStores.storeParameter(stored), stored.bool(VALUES, null),
				sample(stored));
	}

	/**
	 * The {@code sample} option: a share such as {@code 0.1} or {@code 10%}, or a whole
	 * number of keys; {@code null} when absent.
	 * @throws dev.workflowkeeper.job.JobOptionException when it is neither
	 */
	static ReportSample sample(JobOptions options) {
		if (!options.has(SAMPLE)) {
			return null;
		}
		try {
			return ReportSample.parse(options.text(SAMPLE, null));
		}
		catch (IllegalArgumentException ex) {
			throw options.bad(SAMPLE, ReportSample.EXPECTED);
		}
	}

}
