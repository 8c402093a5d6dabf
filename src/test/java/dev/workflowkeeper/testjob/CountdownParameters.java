package dev.workflowkeeper.testjob;

import dev.workflowkeeper.job.JobOptions;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * The options of the countdown test job.
 *
 * @param from where the countdown starts; 1 to 1000
 * @param dryRun count nothing
 */
record CountdownParameters(long from, boolean dryRun) {

	static final String FROM = "from";

	static final String DRY_RUN = "dryRun";

	JobParameters toJobParameters() {
		return new JobParametersBuilder().addLong(FROM, this.from)
			.addString(DRY_RUN, Boolean.toString(this.dryRun))
			.toJobParameters();
	}

	static CountdownParameters from(JobParameters parameters) {
		return of(JobOptions.ofParameters(CountdownJobDefinition.NAME, parameters), false);
	}

	static CountdownParameters of(JobOptions options, boolean defaults) {
		long from = options.whole(FROM, defaults ? 3L : null);
		if (from < 1 || from > 1000) {
			throw options.bad(FROM, "a whole number from 1 to 1000");
		}
		return new CountdownParameters(from, options.bool(DRY_RUN, defaults ? Boolean.FALSE : null));
	}

}
