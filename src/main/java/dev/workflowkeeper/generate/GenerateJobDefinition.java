package dev.workflowkeeper.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.headroom.TargetHeadroom.Addition;
import dev.workflowkeeper.headroom.TargetHeadroom;
import dev.workflowkeeper.headroom.TargetMemoryLimit;
import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.job.JobTexts;
import dev.workflowkeeper.job.OptionType;
import dev.workflowkeeper.pace.PaceSettings;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreAddresses;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStore;
import dev.workflowkeeper.store.WorkflowStores;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.stereotype.Component;

/** {@value GenerateJob#NAME}: its options and rules. */
@Component
class GenerateJobDefinition implements JobDefinition {

	/**
	 * What one generated state costs a Redis, key and overhead included, measured with
	 * {@code INFO memory}.
	 */
	static final long REDIS_BYTES_PER_STATE = 3_200;

	/** What one generated state takes in an uncompressed snapshot file. */
	static final long FILE_BYTES_PER_STATE = 2_700;

	private final StoreAddresses addresses;

	private final WorkflowStores stores;

	private final KeeperProperties properties;

	GenerateJobDefinition(StoreAddresses addresses, WorkflowStores stores, KeeperProperties properties) {
		this.addresses = addresses;
		this.stores = stores;
		this.properties = properties;
	}

	@Override
	public String name() {
		return GenerateJob.NAME;
	}

	@Override
	public String title() {
		return "Write realistic sample states, for trying things out and benchmarks";
	}

	@Override
	public List<JobOption> options() {
		List<JobOption> options = new ArrayList<>(
				List.of(JobOption.required(GenerateParameters.TO, OptionType.STORE, "the store to write to"),
						JobOption.required(GenerateParameters.COUNT, OptionType.WHOLE, "how many states"),
						JobOption.of(GenerateParameters.SEED, OptionType.WHOLE, "1",
								"the same seed makes the same states"),
						JobOption.of(GenerateParameters.MAP, OptionType.BOOLEAN, "false",
								"write a snapshot as the service's json.dump does")));
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
		this.addresses.remember(options.store(GenerateParameters.TO, true));
		GenerateParameters generate = GenerateParameters.of(options, true);
		PaceSettings pace = PaceSettings.read(options, this.properties.redis().pace());
		return pace.addTo(new JobParametersBuilder(generate.toJobParameters())).toJobParameters();
	}

	@Override
	public void validate(JobParameters parameters) {
		GenerateParameters.from(parameters);
		// read under the job's name, so that a refusal names the job
		PaceSettings.read(JobOptions.ofParameters(name(), parameters), this.properties.redis().pace());
	}

	/**
	 * Opens the target once and checks that it can take the states: an unreachable Redis,
	 * a refused password, a directory given as a file, a disk too small, or a Redis the
	 * states would push past {@code keeper.migration.max-target-memory} (by default 90%
	 * of its maxmemory, without one 90% of its machine's memory) fails in one line before
	 * anything is written.
	 */
	@Override
	public void preflight(JobParameters parameters) {
		GenerateParameters generate = GenerateParameters.from(parameters);
		StoreUri uri = this.addresses.resolve(generate.to());
		try (WorkflowStore target = this.stores.open(uri)) {
			target.checkWritable(ConflictPolicy.OVERWRITE);
			long count = generate.count();
			TargetHeadroom.checkMemory(target, uri,
					new Addition(count, Math.multiplyExact(count, REDIS_BYTES_PER_STATE)),
					TargetMemoryLimit.parse(this.properties.migration().maxTargetMemory()), "generate",
					"lower --count");
			if (uri.kind() == StoreUri.Kind.SNAPSHOT) {
				TargetHeadroom.checkDisk(uri.snapshotPath(), count, Math.multiplyExact(count, FILE_BYTES_PER_STATE),
						"lower --count or give another path");
			}
		}
	}

	@Override
	public String describe(JobParameters parameters) {
		GenerateParameters generate = GenerateParameters.from(parameters);
		return "write " + JobTexts.count(generate.count()) + " sample states to " + generate.to()
				+ (generate.map() ? " as one JSON map" : "") + ", seed " + generate.seed();
	}

	/** {@code written 10,000}: the states its one step wrote. */
	@Override
	public String outcome(JobExecution execution) {
		return "written "
				+ JobTexts.count(execution.getStepExecutions().stream().mapToLong(StepExecution::getWriteCount).sum());
	}

}
