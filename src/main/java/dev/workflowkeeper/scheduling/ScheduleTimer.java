package dev.workflowkeeper.scheduling;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.SmartLifecycle;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;

/**
 * The timer: fires every enabled schedule of the registry on a
 * {@link ThreadPoolTaskScheduler} and hands each slot to the {@link SlotLauncher}. Starts
 * once the application is ready and stops first when it closes: no slot fires any more,
 * the runs in flight are asked to stop and are given
 * {@code keeper.scheduling.shutdown-timeout} to do so.
 */
class ScheduleTimer implements SmartLifecycle {

	private static final Log logger = LogFactory.getLog(ScheduleTimer.class);

	private final ScheduleRegistry registry;

	private final SlotLauncher launcher;

	private final SchedulingProperties properties;

	private final List<ScheduledFuture<?>> timers = new ArrayList<>();

	private ThreadPoolTaskScheduler scheduler;

	ScheduleTimer(ScheduleRegistry registry, SlotLauncher launcher, SchedulingProperties properties) {
		this.registry = registry;
		this.launcher = launcher;
		this.properties = properties;
	}

	@Override
	public synchronized void start() {
		ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
		scheduler.setThreadNamePrefix("keeper-timer-");
		scheduler.setPoolSize(1);
		scheduler.initialize();
		List<String> scheduled = new ArrayList<>();
		for (JobSchedule schedule : this.registry.schedules()) {
			if (!schedule.enabled()) {
				continue;
			}
			SlotTrigger trigger = new SlotTrigger(schedule);
			this.timers.add(scheduler.schedule(() -> fire(schedule, trigger.slot()), trigger));
			scheduled.add(schedule.job() + " '" + schedule.schedule() + "' " + schedule.zone() + " (next "
					+ schedule.nextFireTime(Instant.now()) + ")");
		}
		this.scheduler = scheduler;
		logger.info("Scheduled " + scheduled.size() + " job(s)"
				+ (scheduled.isEmpty() ? "" : ": " + String.join(", ", scheduled)));
	}

	private void fire(JobSchedule schedule, Instant slot) {
		try {
			this.launcher.fire(schedule, slot);
		}
		catch (RuntimeException ex) {
			// The next slot fires all the same: the history database may be back by then.
			logger.error(schedule.job() + " slot " + slot + " could not be fired: " + ex.getMessage(), ex);
		}
	}

	@Override
	public synchronized void stop() {
		if (this.scheduler == null) {
			return;
		}
		this.timers.forEach((timer) -> timer.cancel(false));
		this.timers.clear();
		this.scheduler.shutdown();
		this.scheduler = null;
		long deadline = System.nanoTime() + this.properties.shutdownTimeout().toNanos();
		this.launcher.stopInFlight();
		try {
			this.launcher.awaitInFlight(deadline);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		if (!this.launcher.inFlight().isEmpty()) {
			logger.warn("Stopping with runs still in flight, left to be recovered: " + this.launcher.inFlight());
		}
	}

	@Override
	public synchronized boolean isRunning() {
		return this.scheduler != null;
	}

}
