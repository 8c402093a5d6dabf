package dev.workflowkeeper.job;

import java.util.Arrays;
import java.util.List;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;

/**
 * A job definition for tests of what launches jobs: the options it is given, read by
 * their kind (booleans and durations stored as text and seconds), no other rule.
 *
 * @param name the job's name
 * @param options its options
 */
public record SimpleJobDefinition(String name, List<JobOption> options) implements JobDefinition {

	/** A job taking {@code dryRun} (false) and {@code limit} (a whole number, 10). */
	public static SimpleJobDefinition of(String name) {
		return new SimpleJobDefinition(name, List.of(JobOption.of("dryRun", OptionType.BOOLEAN, "false", "dry run"),
				JobOption.of("limit", OptionType.WHOLE, "10", "a limit")));
	}

	/** The definitions of jobs of these names, as {@link #of} makes them. */
	public static JobDefinitions definitions(String... names) {
		return new JobDefinitions(
				Arrays.stream(names).map(SimpleJobDefinition::of).map(JobDefinition.class::cast).toList());
	}

	/** Definitions of these jobs. */
	public static JobDefinitions definitions(JobDefinition... definitions) {
		return new JobDefinitions(List.of(definitions));
	}

	@Override
	public String title() {
		return "a job of the tests";
	}

	@Override
	public JobParameters parameters(JobOptions options) {
		JobParametersBuilder builder = new JobParametersBuilder();
		for (JobOption option : this.options) {
			switch (option.type()) {
				case BOOLEAN -> builder.addString(option.name(),
						Boolean.toString(options.bool(option.name(), Boolean.parseBoolean(option.defaultValue()))));
				case WHOLE -> builder.addLong(option.name(), options.whole(option.name(),
						(option.defaultValue() != null) ? Long.parseLong(option.defaultValue()) : null));
				case DURATION -> builder.addLong(option.name(), options.duration(option.name(), null).toSeconds());
				default -> {
					if (options.has(option.name())) {
						builder.addString(option.name(), options.text(option.name(), null));
					}
				}
			}
		}
		return builder.toJobParameters();
	}

	@Override
	public void validate(JobParameters parameters) {
		parameters(JobOptions.ofParameters(this.name, parameters));
	}

}
