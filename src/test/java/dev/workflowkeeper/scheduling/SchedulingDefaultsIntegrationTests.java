package dev.workflowkeeper.scheduling;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.workflowkeeper.WorkflowKeeperApplication;
import dev.workflowkeeper.scheduling.ScheduleRegistry.ScheduleStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole application: the timer is off in tests by default, and the shipped files
 * load.
 */
class SchedulingDefaultsIntegrationTests {

	@TempDir
	Path tmp;

	@Test
	void shouldLeaveSchedulingOffInTestsByDefault() {
		try (ConfigurableApplicationContext context = run()) {
			assertThat(context.getBeansOfType(ScheduleTimer.class)).isEmpty();
			assertThat(context.getBeansOfType(ScheduleRegistry.class)).isEmpty();
			assertThat(context.containsBean("pruneHistoryJob")).isTrue();
		}
	}

	@Test
	void shouldScheduleTheShippedFilesWhenTurnedOn() {
		try (ConfigurableApplicationContext context = run("--keeper.scheduling.enabled=true",
				"--keeper.scheduling.jobs-dir=" + Path.of("jobs").toAbsolutePath())) {
			assertThat(context.getBean(ScheduleRegistry.class).statuses()).filteredOn(ScheduleStatus::enabled)
				.extracting(ScheduleStatus::job)
				.contains("pruneHistoryJob");
			assertThat(context.getBean(ScheduleTimer.class).isRunning()).isTrue();
		}
	}

	/**
	 * Runs the application on a data folder of its own; {@code settings} as command-line
	 * arguments.
	 */
	private ConfigurableApplicationContext run(String... settings) {
		List<String> args = new ArrayList<>(List.of("--keeper.data-dir=" + this.tmp,
				"--spring.datasource.url=" + TestBatchContexts.h2Url(this.tmp)));
		args.addAll(List.of(settings));
		return new SpringApplicationBuilder(WorkflowKeeperApplication.class).web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.run(args.toArray(String[]::new));
	}

}
