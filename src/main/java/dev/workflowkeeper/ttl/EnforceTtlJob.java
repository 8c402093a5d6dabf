package dev.workflowkeeper.ttl;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.maintenance.MaintenanceStores;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.stereotype.Component;

/** Runs TTL enforcement on a store; a failed run of the same options is resumed. */
@Component("enforceTtlJobRunner")
public class EnforceTtlJob {

	/** The job's name in the history database. */
	public static final String NAME = "enforceTtlJob";

	private final Job enforceTtlJob;

	private final JobRunner jobRunner;

	private final EnforceTtlJobDefinition definition;

	EnforceTtlJob(Job enforceTtlJob, JobRunner jobRunner, EnforceTtlJobDefinition definition) {
		this.enforceTtlJob = enforceTtlJob;
		this.jobRunner = jobRunner;
		this.definition = definition;
	}

	/**
	 * Runs with these options, read by the job's definition, and the default spread.
	 * @param store the store, or {@code null} for the default one
	 * @param maxTtl the longest TTL a state may keep, or {@code null} for the service's
	 * TTL
	 * @param fromAge give a state without a TTL what its {@code updated_at} leaves of the
	 * service's TTL
	 * @param dryRun count, change nothing
	 */
	public JobExecution run(String store, Duration maxTtl, boolean fromAge, boolean dryRun) throws Exception {
		Map<String, Object> options = new HashMap<>();
		options.put(MaintenanceStores.STORE, store);
		options.put(EnforceTtlParameters.MAX_TTL, maxTtl);
		options.put(EnforceTtlParameters.FROM_AGE, fromAge);
		options.put(EnforceTtlParameters.DRY_RUN, dryRun);
		return run(this.definition.parametersOf(options));
	}

	/**
	 * Runs TTL enforcement with the parameters its definition made of the options of the
	 * command.
	 */
	public JobExecution run(JobParameters parameters) throws Exception {
		return this.jobRunner.run(this.enforceTtlJob, parameters);
	}

}
