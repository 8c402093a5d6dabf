package dev.workflowkeeper.generate;

import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.store.StoreAddresses;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.stereotype.Component;

/** Runs the sample-state generator; a failed run of the same options is resumed. */
@Component
public class GenerateJob {

	private final Job generateStatesJob;

	private final JobRunner jobRunner;

	private final StoreAddresses addresses;

	public GenerateJob(Job generateStatesJob, JobRunner jobRunner, StoreAddresses addresses) {
		this.generateStatesJob = generateStatesJob;
		this.jobRunner = jobRunner;
		this.addresses = addresses;
	}

	/**
	 * Writes {@code count} sample states to {@code to}; {@code map} writes a snapshot as the service's
	 * {@code json.dump} does. {@code nowMillis} anchors the states' ages.
	 */
	public JobExecution run(StoreUri to, long count, long seed, boolean map, long nowMillis) throws Exception {
		this.addresses.remember(to);
		return this.jobRunner.run(this.generateStatesJob, parameters(to, count, seed, map, nowMillis));
	}

	/** The parameters of a run, as the command and the operator's launch record them (the target masked). */
	public static JobParameters parameters(StoreUri to, long count, long seed, boolean map, long nowMillis) {
		return new JobParametersBuilder().addString("to", to.masked())
			.addLong("count", count)
			.addLong("seed", seed)
			.addString("map", Boolean.toString(map))
			.addLong("now", nowMillis, false)
			.toJobParameters();
	}

}
