package dev.workflowkeeper.scheduling;

import java.time.Instant;

import org.springframework.scheduling.Trigger;
import org.springframework.scheduling.TriggerContext;
import org.springframework.scheduling.support.CronTrigger;

/**
 * A {@link CronTrigger} that remembers the fire time it computed last: the slot that the
 * task it triggers runs for. The task scheduler asks for the next fire time only after
 * the task returned, so while the task runs, {@link #slot()} is its own scheduled time,
 * not the time it started.
 */
final class SlotTrigger implements Trigger {

	private final CronTrigger cron;

	private volatile Instant slot;

	SlotTrigger(JobSchedule schedule) {
		this.cron = new CronTrigger(schedule.schedule(), schedule.zone());
	}

	@Override
	public Instant nextExecution(TriggerContext triggerContext) {
		Instant next = this.cron.nextExecution(triggerContext);
		this.slot = next;
		return next;
	}

	/** The scheduled fire time of the current (or next) firing. */
	Instant slot() {
		return this.slot;
	}

}
