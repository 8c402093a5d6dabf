package dev.workflowkeeper.scheduling;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.workflowkeeper.job.JobRunnerParameters;

import org.springframework.batch.core.job.parameters.JobParameter;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.scheduling.support.CronExpression;

/**
 * One schedule file: which job runs when, with which options.
 *
 * @param file the file it was read from, as named in messages
 * @param job the name of the Job bean
 * @param enabled whether the timer fires it
 * @param schedule the Spring cron expression (six fields: second to day of week)
 * @param zone the time zone the expression is read in
 * @param options the options as the file gives them
 * @param jobParameters the job parameters those options make, checked by the job's rules
 * when the file was loaded
 */
public record JobSchedule(String file, String job, boolean enabled, String schedule, ZoneId zone,
		Map<String, Object> options, JobParameters jobParameters) {

	/**
	 * The identifying job parameter of a run: the scheduled fire time of its slot
	 * (ISO-8601). One slot is one job instance, so a slot runs once however many workers
	 * fire it.
	 */
	public static final String SLOT = JobRunnerParameters.SLOT;

	public JobSchedule {
		options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
	}

	/** The fire time that follows {@code after}. */
	public Instant nextFireTime(Instant after) {
		return CronExpression.parse(this.schedule).next(after.atZone(this.zone)).toInstant();
	}

	/**
	 * The parameters of the run of one slot: the slot identifies the instance; the
	 * options do not, so a changed option never lets a slot run again.
	 */
	public JobParameters parameters(Instant slot) {
		JobParametersBuilder builder = new JobParametersBuilder();
		builder.addString(SLOT, slot.toString(), true);
		for (JobParameter<?> parameter : this.jobParameters) {
			addUnidentifying(builder, parameter);
		}
		return builder.toJobParameters();
	}

	@SuppressWarnings({ "unchecked", "rawtypes" })
	private static void addUnidentifying(JobParametersBuilder builder, JobParameter<?> parameter) {
		builder.addJobParameter(new JobParameter(parameter.name(), parameter.value(), parameter.type(), false));
	}

	/**
	 * The job parameters each run gets beside its slot, as text (store addresses are
	 * masked).
	 */
	public Map<String, String> parameterTexts() {
		Map<String, String> texts = new LinkedHashMap<>();
		for (JobParameter<?> parameter : this.jobParameters) {
			texts.put(parameter.name(), String.valueOf(parameter.value()));
		}
		return texts;
	}

	/** The identifying part of {@link #parameters}: enough to find a slot's instance. */
	static JobParameters slotParameters(Instant slot) {
		return new JobParametersBuilder().addString(SLOT, slot.toString(), true).toJobParameters();
	}

}
