package dev.workflowkeeper.ops.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

import dev.workflowkeeper.batch.HistoryQueries.ScheduledRun;
import dev.workflowkeeper.batch.HistoryQueries;
import dev.workflowkeeper.scheduling.JobSchedule;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Whether the scheduled jobs ({@code jobs/*.yml}) do their work: DOWN when the latest run
 * of an enabled schedule FAILED, or when a schedule is overdue — nothing fired for more
 * than two of its periods (the slot that should have come after the last one has been
 * missed by more than a period), counted from the worker's start when it never fired. The
 * period is the gap between the cron expression's next two fire times. Details per job:
 * the latest run's status, exit code, start and end, and the next fire time. Without
 * scheduling (one-off commands, a worker with {@code keeper.scheduling.enabled=false})
 * there is nothing to judge: UP.
 */
class WorkflowJobsHealthIndicator implements HealthIndicator {

	private final Supplier<List<JobSchedule>> schedules;

	private final HistoryQueries runs;

	private final Clock clock;

	private final Instant startedAt;

	/**
	 * @param schedules the loaded schedules, or {@code null} from the supplier when
	 * scheduling is off
	 * @param startedAt when the worker started: a schedule that never fired is overdue
	 * two periods later
	 */
	WorkflowJobsHealthIndicator(Supplier<List<JobSchedule>> schedules, HistoryQueries runs, Clock clock,
			Instant startedAt) {
		this.schedules = schedules;
		this.runs = runs;
		this.clock = clock;
		this.startedAt = startedAt;
	}

	@Override
	public Health health() {
		List<JobSchedule> schedules = this.schedules.get();
		if (schedules == null) {
			return Health.up().withDetail("schedulingEnabled", false).build();
		}
		Instant now = this.clock.instant();
		boolean down = false;
		Map<String, Object> jobs = new LinkedHashMap<>();
		for (JobSchedule schedule : schedules) {
			if (!schedule.enabled()) {
				continue;
			}
			Map<String, Object> job = new LinkedHashMap<>();
			job.put("schedule", schedule.schedule());
			Optional<ScheduledRun> last = this.runs.lastScheduledRun(schedule.job());
			last.ifPresent((run) -> {
				job.put("lastExecution", run.executionId());
				job.put("lastStatus", run.status());
				job.put("lastExitCode", run.exitCode());
				job.put("lastStart", text(run.start()));
				job.put("lastEnd", text(run.end()));
			});
			Instant next = schedule.nextFireTime(now);
			job.put("nextFireTime", next.toString());
			String problem = null;
			if (last.isPresent() && last.get().failed()) {
				problem = "the last run (execution " + last.get().executionId() + ") failed";
			}
			else {
				Duration period = Duration.between(next, schedule.nextFireTime(next));
				Instant since = this.runs.lastSlotFired(schedule.job()).orElse(this.startedAt);
				if (since.isBefore(now.minus(period.multipliedBy(2)))) {
					problem = "overdue: no slot fired since " + since + " though it fires every " + period;
				}
			}
			if (problem != null) {
				job.put("problem", problem);
				down = true;
			}
			jobs.put(schedule.job(), job);
		}
		return (down ? Health.down() : Health.up()).withDetail("schedulingEnabled", true)
			.withDetail("jobs", jobs)
			.build();
	}

	private static String text(Instant instant) {
		return (instant != null) ? instant.toString() : null;
	}

}
