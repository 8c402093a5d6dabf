package dev.workflowkeeper.generate;

import java.util.HashMap;
import java.util.Map;

import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.job.JobRunnerParameters;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.stereotype.Component;

/** Runs the sample-state generator; a failed run of the same options is resumed. */
@Component
public class GenerateJob {

	/** The job's name in the history database. */
	public static final String NAME = "generateStatesJob";

	private final Job generateStatesJob;

	private final JobRunner jobRunner;

	private final GenerateJobDefinition definition;

	GenerateJob(Job generateStatesJob, JobRunner jobRunner, GenerateJobDefinition definition) {
		this.generateStatesJob = generateStatesJob;
		this.jobRunner = jobRunner;
		this.definition = definition;
	}

	/**
	 * Writes {@code count} sample states to {@code to}; {@code map} writes a snapshot as
	 * the service's {@code json.dump} does. {@code nowMillis} anchors the states' ages.
	 * The options go through the job's definition.
	 */
	public JobExecution run(StoreUri to, long count, long seed, boolean map, long nowMillis) throws Exception {
		Map<String, Object> options = new HashMap<>();
		options.put(GenerateParameters.TO, to.value());
		options.put(GenerateParameters.COUNT, count);
		options.put(GenerateParameters.SEED, seed);
		options.put(GenerateParameters.MAP, map);
		return run(this.definition.parametersOf(options), nowMillis);
	}

	/**
	 * Writes sample states with the parameters its definition made of the options of the
	 * command; {@code nowMillis} anchors the states' ages (a parameter that does not
	 * identify the run).
	 */
	public JobExecution run(JobParameters parameters, long nowMillis) throws Exception {
		return this.jobRunner.run(this.generateStatesJob,
				new JobParametersBuilder(parameters).addLong(JobRunnerParameters.NOW, nowMillis, false)
					.toJobParameters());
	}

}
