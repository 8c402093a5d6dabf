package dev.workflowkeeper.scheduling;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.workflowkeeper.scheduling.SlotLauncher.Firing;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two workers sharing a PostgreSQL history (the multi-worker deployment) fire the same
 * slots at once. Skipped when no PostgreSQL answers on 127.0.0.1:5432 (user postgres,
 * database test).
 */
class SlotLauncherPostgresIntegrationTests {

	private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/test";

	private static final JobSchedule QUICK = new JobSchedule("quick.yml", "quickJob", true, "0 0 3 * * *",
			ZoneOffset.UTC, Map.of(), new JobParameters());

	private final String schema = "keeper_sched_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);

	@BeforeEach
	void createSchema() {
		assumeTrue(execute("create schema " + this.schema), "no PostgreSQL on 127.0.0.1:5432");
	}

	@AfterEach
	void dropSchema() {
		execute("drop schema if exists " + this.schema + " cascade");
	}

	private ApplicationContextRunner worker() {
		return TestBatchContexts.batch(SERVER + "?currentSchema=" + this.schema)
			.withUserConfiguration(SchedulingConfiguration.class)
			.withPropertyValues("spring.datasource.username=postgres", "spring.batch.jdbc.platform=postgresql",
					// the second worker finds the tables there
					"spring.batch.jdbc.continue-on-error=true", "keeper.scheduling.enabled=true",
					"keeper.scheduling.jobs-dir=" + this.schema + "-no-such-folder");
	}

	@Test
	void shouldRunEachSlotOnceWhenTwoWorkersSharingAPostgresHistoryFireIt() {
		worker().run((first) -> worker().run((second) -> {
			// given
			Instant base = Instant.parse("2026-01-02T03:00:00Z");
			ExecutorService threads = Executors.newFixedThreadPool(2);
			try {
				for (int i = 0; i < 5; i++) {
					Instant slot = base.plusSeconds(86400L * i);
					CyclicBarrier together = new CyclicBarrier(2);

					// when
					Future<Firing> a = threads.submit(() -> fire(first, slot, together));
					Future<Firing> b = threads.submit(() -> fire(second, slot, together));
					a.get(60, TimeUnit.SECONDS).run().handle((execution, ex) -> null).get(60, TimeUnit.SECONDS);
					b.get(60, TimeUnit.SECONDS).run().handle((execution, ex) -> null).get(60, TimeUnit.SECONDS);

					// then
					JobRepository repository = first.getBean(JobRepository.class);
					JobInstance instance = repository.getJobInstance("quickJob", QUICK.parameters(slot));
					assertThat(instance).as("instance of slot %s", slot).isNotNull();
					assertThat(repository.getJobExecutions(instance)).as("executions of slot %s", slot)
						.singleElement()
						.satisfies((execution) -> assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED));
				}
			}
			finally {
				threads.shutdownNow();
			}
			List<JobInstance> instances = first.getBean(JobRepository.class).getJobInstances("quickJob", 0, 100);
			assertThat(instances).hasSize(5);
		}));
	}

	private static Firing fire(ApplicationContext context, Instant slot, CyclicBarrier together) throws Exception {
		together.await(30, TimeUnit.SECONDS);
		return context.getBean(SlotLauncher.class).fire(QUICK, slot);
	}

	private static boolean execute(String sql) {
		try (Connection connection = DriverManager.getConnection(SERVER, "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
			return true;
		}
		catch (SQLException ex) {
			return false;
		}
	}

}
