package dev.workflowkeeper.scheduling;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The schedules the worker loaded at start, for whoever shows them (the actuator, the
 * dashboard). Exists only while scheduling is enabled.
 */
public class ScheduleRegistry {

	private final List<JobSchedule> schedules;

	private final Clock clock;

	ScheduleRegistry(List<JobSchedule> schedules, Clock clock) {
		this.schedules = List.copyOf(schedules);
		this.clock = clock;
	}

	/** Every loaded schedule, enabled or not, in file-name order. */
	public List<JobSchedule> schedules() {
		return this.schedules;
	}

	/** The schedule of a job, if a file schedules it. */
	public Optional<JobSchedule> schedule(String job) {
		return this.schedules.stream().filter((schedule) -> schedule.job().equals(job)).findFirst();
	}

	/** What each schedule will do next, as of now. */
	public List<ScheduleStatus> statuses() {
		Instant now = this.clock.instant();
		return this.schedules.stream()
			.map((schedule) -> new ScheduleStatus(schedule.job(), schedule.file(), schedule.schedule(), schedule.zone(),
					schedule.enabled(), schedule.enabled() ? schedule.nextFireTime(now) : null,
					schedule.parameterTexts()))
			.toList();
	}

	/**
	 * One schedule as of now.
	 *
	 * @param job the Job bean's name
	 * @param file the schedule file
	 * @param schedule the cron expression
	 * @param zone the zone it is read in
	 * @param enabled whether the timer fires it
	 * @param nextFireTime the next slot, or {@code null} when disabled
	 * @param options the job parameters each run gets beside its slot, as text (addresses
	 * masked)
	 */
	public record ScheduleStatus(String job, String file, String schedule, ZoneId zone, boolean enabled,
			Instant nextFireTime, Map<String, String> options) {
	}

}
