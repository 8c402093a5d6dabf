package dev.workflowkeeper.cli;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.workflowkeeper.WorkflowKeeperApplication;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/**
 * What a command needs to boot the application: the streams it prints to, settings that
 * take precedence over every configuration file (tests use them to point at their own
 * data folder), and whether the user asked for stack traces ({@code --debug}).
 *
 * @param out where results go (stdout)
 * @param err where errors and progress go (stderr)
 * @param overrides settings of the highest precedence
 * @param debug whether failures show their stack trace, in the logs and after the
 * {@code error:} line
 */
public record Boot(PrintWriter out, PrintWriter err, Map<String, Object> overrides, boolean debug) {

	/** Whether logs show whole stack traces; read by the logging configuration. */
	static final String STACK_TRACES = "keeper.cli.stack-traces";

	/**
	 * The loggers that report a failed step or job with its stack trace: a one-off
	 * command reports the failure itself, in its {@code error:} line.
	 */
	private static final String[] FAILURE_LOGGERS = { "org.springframework.batch.core.step.AbstractStep",
			"org.springframework.batch.core.job.AbstractJob" };

	/**
	 * Starts the application for a one-off command: without a web server, and with its
	 * beans created lazily, when the command first needs them, since a command runs one
	 * job and most of what the worker holds (the actuator, the dashboard, the schedules)
	 * would only lengthen its start.
	 */
	public ConfigurableApplicationContext oneOff() {
		Map<String, Object> properties = new LinkedHashMap<>(this.overrides);
		properties.putIfAbsent("keeper.scheduling.enabled", "false");
		// the check of the health groups would create every health indicator, and what
		// they use, at start; a one-off command serves no health endpoint
		properties.putIfAbsent("management.endpoint.health.validate-group-membership", "false");
		Map<String, Object> logging = new LinkedHashMap<>();
		logging.put(STACK_TRACES, Boolean.toString(this.debug));
		if (!this.debug) {
			for (String logger : FAILURE_LOGGERS) {
				logging.put("logging.level." + logger, "OFF");
			}
		}
		return builder(properties, logging).web(WebApplicationType.NONE).lazyInitialization(true).run();
	}

	/** Starts the long-running worker: its logs keep whole stack traces. */
	ConfigurableApplicationContext worker(org.springframework.context.ApplicationListener<?> listener) {
		return builder(this.overrides, Map.of(STACK_TRACES, "true")).listeners(listener).run();
	}

	/**
	 * @param logging settings that logging reads when it starts, before the overrides are
	 * in place (of the lowest precedence)
	 */
	SpringApplicationBuilder builder(Map<String, Object> properties, Map<String, Object> logging) {
		return new SpringApplicationBuilder(WorkflowKeeperApplication.class).logStartupInfo(false)
			.properties(logging)
			.initializers((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("command-line-overrides", properties)));
	}

}
