package dev.workflowkeeper.ttl;

import java.time.Duration;

import dev.workflowkeeper.batch.JobRunner;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.maintenance.MaintenanceStores;

import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.stereotype.Component;

/** Runs TTL enforcement on a store; a failed run of the same options is resumed. */
@Component("enforceTtlJobRunner")
public class EnforceTtlJob {

	/** The job's name in the history database. */
	public static final String NAME = "enforceTtlJob";

	private final Job enforceTtlJob;

	private final JobRunner jobRunner;

	private final MaintenanceStores stores;

	private final KeeperProperties properties;

	public EnforceTtlJob(Job enforceTtlJob, JobRunner jobRunner, MaintenanceStores stores, KeeperProperties properties) {
		this.enforceTtlJob = enforceTtlJob;
		this.jobRunner = jobRunner;
		this.stores = stores;
		this.properties = properties;
	}

	/**
	 * @param store the store, or {@code null} for the default one
	 * @param maxTtl the longest TTL a state may keep, or {@code null} for the service's TTL; never
	 * shorter than the service's TTL, which would shorten what the service sets
	 * @param fromAge give a state without a TTL what its {@code updated_at} leaves of the service's TTL
	 * @param dryRun count, change nothing
	 */
	public JobExecution run(String store, Duration maxTtl, boolean fromAge, boolean dryRun) throws Exception {
		return this.jobRunner.run(this.enforceTtlJob,
				parameters(this.stores.parameter(store), maxTtl, this.properties.stateTtl(), fromAge, dryRun));
	}

	/**
	 * The parameters of a run, as the command and the operator's launch record them.
	 * @param store the store parameter ({@link MaintenanceStores#parameter})
	 * @param maxTtl the longest TTL a state may keep, or {@code null} for the service's TTL
	 * @param stateTtl the service's TTL ({@code WORKFLOW_STATE_TTL})
	 * @throws IllegalArgumentException when {@code maxTtl} is shorter than the service's TTL
	 */
	public static JobParameters parameters(String store, Duration maxTtl, Duration stateTtl, boolean fromAge,
			boolean dryRun) {
		Duration max = (maxTtl != null) ? maxTtl : stateTtl;
		if (max.compareTo(stateTtl) < 0) {
			throw new IllegalArgumentException("the maximum TTL " + max.toSeconds() + "s is shorter than the service's TTL of "
					+ stateTtl.toSeconds() + "s (WORKFLOW_STATE_TTL): it would shorten what the service sets");
		}
		return new JobParametersBuilder().addString(MaintenanceStores.STORE, store)
			.addLong("maxTtl", max.toSeconds())
			.addString("fromAge", Boolean.toString(fromAge))
			.addString("dryRun", Boolean.toString(dryRun))
			.toJobParameters();
	}

}
