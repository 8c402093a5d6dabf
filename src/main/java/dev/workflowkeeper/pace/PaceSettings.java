package dev.workflowkeeper.pace;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.job.OptionType;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * How fast a job may work a Redis: the options {@code maxRate} and {@code latencyBudget}
 * that every job reading or writing Redis takes, their defaults
 * ({@code keeper.redis.pace.*}) and their job parameters. They do not identify a run: a
 * resumed run takes them from the launch that resumes it.
 *
 * @param maxRate the most keys a second the job reads or writes on one Redis (0: no
 * limit)
 * @param latencyBudget how much the job may add to the response time of the server, as
 * its own probe connection measures it (zero: not measured, no limit)
 */
public record PaceSettings(long maxRate, Duration latencyBudget) {

	/** The option (and job parameter) of the rate limit. */
	public static final String MAX_RATE = "maxRate";

	/** The option (and job parameter) of the latency budget. */
	public static final String LATENCY_BUDGET = "latencyBudget";

	/** Both options' names, which a resumed run renews. */
	public static final Set<String> NAMES = Set.of(MAX_RATE, LATENCY_BUDGET);

	/** No limit at all: as fast as the server answers. */
	public static final PaceSettings UNLIMITED = new PaceSettings(0, Duration.ZERO);

	public PaceSettings {
		if (maxRate < 0) {
			throw new IllegalArgumentException("maxRate must be 0 or more");
		}
		if (latencyBudget == null || latencyBudget.isNegative()) {
			throw new IllegalArgumentException("latencyBudget must be 0 or more");
		}
	}

	/** Whether any limit applies. */
	public boolean limited() {
		return this.maxRate > 0 || !this.latencyBudget.isZero();
	}

	/** The two options, as the jobs that work a Redis list them. */
	public static List<JobOption> options() {
		return List.of(
				JobOption.of(MAX_RATE, OptionType.WHOLE, "keeper.redis.pace.max-rate",
						"the most keys a second the job reads or writes on one Redis; 0: no limit"),
				JobOption.of(LATENCY_BUDGET, OptionType.DURATION, "keeper.redis.pace.latency-budget",
						"how much the job may add to the server's response time, as its probe measures it; the job slows down to stay within it; 0: off"));
	}

	/**
	 * The pace a launch asks for, each option absent taking its default.
	 * @throws dev.workflowkeeper.job.JobOptionException for a negative rate or a wrong
	 * duration
	 */
	public static PaceSettings read(JobOptions options, KeeperProperties.Redis.Pace defaults) {
		long maxRate = options.whole(MAX_RATE, defaults.maxRate());
		if (maxRate < 0) {
			throw options.bad(MAX_RATE, "a whole number of keys a second, 0 (no limit) or more");
		}
		return new PaceSettings(maxRate, options.durationOrZero(LATENCY_BUDGET, defaults.latencyBudget()));
	}

	/**
	 * Adds the pace to job parameters, not identifying: the budget as an ISO-8601
	 * duration ({@code PT0.0005S}), which keeps fractions of a millisecond.
	 */
	public JobParametersBuilder addTo(JobParametersBuilder builder) {
		return builder.addLong(MAX_RATE, this.maxRate, false)
			.addString(LATENCY_BUDGET, this.latencyBudget.toString(), false);
	}

	/**
	 * The pace recorded in the job parameters of {@code job}; what a run recorded before
	 * the options existed lacks takes its default.
	 * @throws dev.workflowkeeper.job.JobOptionException when one is of the wrong kind,
	 * naming the job
	 */
	public static PaceSettings from(String job, JobParameters parameters, KeeperProperties.Redis.Pace defaults) {
		return read(JobOptions.ofParameters(job, parameters), defaults);
	}

}
