package dev.workflowkeeper.generate;

import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * The options of one run of the sample-state generator.
 *
 * @param to the target store, masked
 * @param count how many states to write; positive
 * @param seed the seed of the random states: the same seed makes the same states
 * @param map write a snapshot as the service's {@code json.dump} does (a snapshot target
 * only)
 */
public record GenerateParameters(String to, long count, long seed, boolean map) {

	/**
	 * The most states one run generates: about 250 GB of states, far past any test store.
	 */
	static final long MAX_COUNT = 100_000_000L;

	static final String TO = "to";

	static final String COUNT = "count";

	static final String SEED = "seed";

	static final String MAP = "map";

	/** The identifying job parameters of these options. */
	public JobParameters toJobParameters() {
		return new JobParametersBuilder().addString(TO, this.to)
			.addLong(COUNT, this.count)
			.addLong(SEED, this.seed)
			.addString(MAP, Boolean.toString(this.map))
			.toJobParameters();
	}

	/**
	 * Reads the options back from job parameters.
	 * @throws dev.workflowkeeper.job.JobOptionException when one is missing, of the wrong
	 * kind, or refused by the rules
	 */
	public static GenerateParameters from(JobParameters parameters) {
		return of(JobOptions.ofParameters(GenerateJob.NAME, parameters), false);
	}

	/**
	 * The options of a launch, the rules checked; {@code defaults} fills the optional
	 * ones.
	 */
	static GenerateParameters of(JobOptions options, boolean defaults) {
		StoreUri to = options.store(TO, true);
		long count = options.whole(COUNT, null);
		if (count <= 0 || count > MAX_COUNT) {
			throw options.bad(COUNT, "a whole number from 1 to " + MAX_COUNT);
		}
		boolean map = options.bool(MAP, defaults ? Boolean.FALSE : null);
		if (map && to.kind() != StoreUri.Kind.SNAPSHOT) {
			throw options.refuse(MAP, "writes a snapshot file: give a snapshot:PATH target, not " + to.masked());
		}
		return new GenerateParameters(to.masked(), count, options.whole(SEED, defaults ? 1L : null), map);
	}

}
