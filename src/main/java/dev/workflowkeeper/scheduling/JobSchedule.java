package dev.workflowkeeper.scheduling;

import java.time.Instant;
import java.time.ZoneId;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

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
 * @param options the job's parameters, as strings
 */
public record JobSchedule(String file, String job, boolean enabled, String schedule, ZoneId zone,
		Map<String, String> options) {

	/**
	 * The identifying job parameter of a run: the scheduled fire time of its slot (ISO-8601). One
	 * slot is one job instance, so a slot runs once however many workers fire it.
	 */
	public static final String SLOT = "schedule.slot";

	public JobSchedule {
		options = Collections.unmodifiableMap(new LinkedHashMap<>(options));
	}

	/** The fire time that follows {@code after}. */
	public Instant nextFireTime(Instant after) {
		return CronExpression.parse(this.schedule).next(after.atZone(this.zone)).toInstant();
	}

	/**
	 * The parameters of the run of one slot: the slot identifies the instance; the options do not,
	 * so a changed option never lets a slot run again.
	 */
	public JobParameters parameters(Instant slot) {
		JobParametersBuilder builder = new JobParametersBuilder();
		builder.addString(SLOT, slot.toString(), true);
		this.options.forEach((name, value) -> builder.addString(name, value, false));
		return builder.toJobParameters();
	}

	/** The identifying part of {@link #parameters}: enough to find a slot's instance. */
	static JobParameters slotParameters(Instant slot) {
		return new JobParametersBuilder().addString(SLOT, slot.toString(), true).toJobParameters();
	}

}
