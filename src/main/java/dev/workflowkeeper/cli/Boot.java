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
 * What a command needs to boot the application: the streams it prints to, and settings
 * that take precedence over every configuration file (tests use them to point at their
 * own data folder).
 *
 * @param out where results go (stdout)
 * @param err where errors and progress go (stderr)
 * @param overrides settings of the highest precedence
 */
public record Boot(PrintWriter out, PrintWriter err, Map<String, Object> overrides) {

	/** Starts the application without a web server, for a one-off command. */
	public ConfigurableApplicationContext oneOff() {
		Map<String, Object> properties = new LinkedHashMap<>(this.overrides);
		properties.putIfAbsent("keeper.scheduling.enabled", "false");
		return builder(properties).web(WebApplicationType.NONE).run();
	}

	/** Starts the long-running worker. */
	ConfigurableApplicationContext worker(org.springframework.context.ApplicationListener<?> listener) {
		return builder(this.overrides).listeners(listener).run();
	}

	SpringApplicationBuilder builder(Map<String, Object> properties) {
		return new SpringApplicationBuilder(WorkflowKeeperApplication.class).logStartupInfo(false)
			.initializers((context) -> context.getEnvironment()
				.getPropertySources()
				.addFirst(new MapPropertySource("command-line-overrides", properties)));
	}

}
