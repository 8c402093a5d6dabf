package dev.workflowkeeper.scheduling;

import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the timer, bound from {@code keeper.scheduling}. The built-in
 * {@code application.yml} also sets {@code enabled}, since the scheduling configuration
 * is conditional on it.
 *
 * @param enabled whether the worker (serve) fires its schedules; one-off commands turn it
 * off
 * @param jobsDir the folder of the schedule files (*.yml, one per job)
 * @param shutdownTimeout how long a stopping worker waits for the jobs it launched to
 * stop
 */
@ConfigurationProperties("keeper.scheduling")
public record SchedulingProperties(@DefaultValue("true") boolean enabled, @DefaultValue("./jobs") Path jobsDir,
		@DefaultValue("30s") Duration shutdownTimeout) {
}
