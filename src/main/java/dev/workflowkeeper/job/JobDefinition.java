package dev.workflowkeeper.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.InvalidJobParametersException;
import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersValidator;

/**
 * What a job is, for everything that launches or shows it: its name, its options, how
 * options become its parameters record and job parameters, the rules those obey, and the
 * figures its executions leave. Each job package declares one such bean; the command
 * line, {@code JobControl} (HTTP and the dashboard), the schedule files and the metrics
 * discover jobs from these beans, so adding a job touches nothing outside its package.
 * <p>
 * The rules are enforced twice: when options are read ({@link #parameters}), so that a
 * launch path refuses them with one line before anything starts, and by the
 * {@link #validator()} set on the {@code Job} itself, so that no path — not even a direct
 * {@code JobOperator} call — can start the job with parameters its rules refuse.
 */
public interface JobDefinition {

	/** Parameters a launcher adds beside the job's own options. */
	Set<String> LAUNCH_PARAMETERS = Set.of(JobRunnerParameters.RUN, JobRunnerParameters.SLOT, JobRunnerParameters.NOW);

	/** The job's name in the history database (the {@code Job} bean's name). */
	String name();

	/** One line on what the job does. */
	String title();

	/** The options it takes, in the order they are documented. */
	List<JobOption> options();

	/**
	 * Checks, before a new run starts, what the job's stores must allow (a target with
	 * room for what it will write, a target file that may be written), on every launch
	 * path: the command, {@code run}, HTTP and the dashboard. Not called on a restart,
	 * which goes on with a target the run has begun to fill.
	 * @throws RuntimeException with a one-line message when the run could not succeed
	 */
	default void preflight(JobParameters parameters) {
	}

	/**
	 * The exit code a command gives a run that completed: {@code 0} unless the job's exit
	 * status says the run did not do all it was given (a migration whose verification
	 * found differences: {@code 1}; one that rejected records: {@code 3}).
	 */
	default int exitCode(JobExecution execution) {
		return 0;
	}

	/**
	 * Options that do not identify a run and that a resumed run takes from the command
	 * that resumes it rather than from the run it resumes (a migration's
	 * {@code maxRejects}: raised, it lets the same run go on). Every other option keeps
	 * its stored value.
	 */
	default Set<String> optionsRenewedOnResume() {
		return Set.of();
	}

	/**
	 * The identifying job parameters of a launch with {@code options}: every option given
	 * its default when absent, the rules checked. Store addresses are masked.
	 * @throws JobOptionException a value of the wrong kind, or one the rules refuse
	 */
	JobParameters parameters(JobOptions options);

	/**
	 * The identifying job parameters of options a program gives, where {@code null} means
	 * "not given" (a command line's absent flag): the others are read as
	 * {@link #parameters} reads them. A launch from JSON or YAML goes through
	 * {@link JobOptions#of} directly, where an explicit null is refused.
	 * @throws JobOptionException an unknown option, a value of the wrong kind, or one the
	 * rules refuse
	 */
	default JobParameters parametersOf(Map<String, ?> options) {
		Map<String, Object> given = new LinkedHashMap<>();
		options.forEach((name, value) -> {
			if (value != null) {
				given.put(name, value);
			}
		});
		return parameters(JobOptions.of(this, given));
	}

	/**
	 * Checks job parameters as they reach the job: read back into the parameters record,
	 * rules applied.
	 * @throws JobOptionException when they are not the job's, or its rules refuse them
	 */
	void validate(JobParameters parameters);

	/** The figures an execution leaves in its job ExecutionContext, and how they read. */
	default List<JobFigure> figures() {
		return List.of();
	}

	/**
	 * What a run with these parameters does, in one short line for history: what it works
	 * on and how ({@code purge redis://host:6379/0, stale after 48h, finished after
	 * 24h}). A dry run and a scheduled run are told by history itself. By default the
	 * job's title.
	 * @throws IllegalArgumentException when the parameters are not the job's
	 */
	default String describe(JobParameters parameters) {
		return title();
	}

	/**
	 * What an execution did, in the job's own figures, in one short line for history
	 * ({@code scanned 5,007, deleted 1,803}; a dry run says what it would have done). By
	 * default every declared figure the execution left, as declared.
	 */
	default String outcome(JobExecution execution) {
		return JobTexts.figures(figures(), execution.getExecutionContext());
	}

	/**
	 * Whether these parameters ask for a dry run, which changes nothing and so counts
	 * nothing.
	 */
	default boolean dryRun(JobParameters parameters) {
		Object value = (parameters.getParameter("dryRun") != null) ? parameters.getParameter("dryRun").value() : null;
		return Boolean.TRUE.equals(value) || "true".equals(value);
	}

	/**
	 * The validator to set on the {@code Job}: refuses parameters the job does not know
	 * and parameters its rules refuse.
	 */
	default JobParametersValidator validator() {
		return (parameters) -> {
			if (parameters == null) {
				throw new InvalidJobParametersException(name() + ": no job parameters");
			}
			List<String> known = new ArrayList<>(options().stream().map(JobOption::name).toList());
			for (JobParameter<?> parameter : parameters) {
				if (!known.contains(parameter.name()) && !LAUNCH_PARAMETERS.contains(parameter.name())) {
					throw new InvalidJobParametersException(JobOptions.unknownOption(name(), parameter.name(), known));
				}
			}
			try {
				validate(parameters);
			}
			catch (IllegalArgumentException ex) {
				throw new InvalidJobParametersException(ex.getMessage());
			}
		};
	}

}
