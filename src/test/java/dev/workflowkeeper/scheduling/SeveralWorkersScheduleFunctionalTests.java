package dev.workflowkeeper.scheduling;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.PostgresDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Three workers ({@code serve}), each with its own data folder, share a PostgreSQL
 * history and a 2-second schedule: every slot that came while all three served ran
 * exactly once, COMPLETED, none was skipped and none was left running.
 */
class SeveralWorkersScheduleFunctionalTests {

	private static final long PERIOD = 2;

	@TempDir
	Path tmp;

	@Test
	void shouldRunEverySlotExactlyOnceAcrossThreeWorkers() throws Exception {
		try (PostgresDatabase history = PostgresDatabase.create()) {
			// given: three workers firing a report every 2 s
			Path jobs = Files.createDirectories(this.tmp.resolve("jobs"));
			Files.writeString(jobs.resolve("report.yml"), "job: reportMemoryJob\nschedule: \"*/2 * * * * *\"\n");
			List<Process> workers = new ArrayList<>();
			Instant allServing;
			Instant stopping;
			try {
				for (int i = 0; i < 3; i++) {
					KeeperCli cli = new KeeperCli(this.tmp.resolve("worker-" + i)).with(history.historySettings())
						.with("server.port", 0)
						.with("keeper.scheduling.enabled", true)
						.with("keeper.scheduling.jobs-dir", jobs);
					Process worker = cli.start("serve");
					workers.add(worker);
					cli.awaitServing(worker);
				}
				allServing = Instant.now();

				// when: they serve together for 20 s
				Thread.sleep(20_000);
				stopping = Instant.now();
			}
			finally {
				for (Process worker : workers) {
					worker.destroy();
				}
				for (Process worker : workers) {
					worker.waitFor();
				}
			}

			// then: each slot from the first after all served to the last before they
			// stopped has one execution, COMPLETED
			Map<Instant, List<String>> slots = new TreeMap<>();
			for (Map<String, Object> row : history.query("SELECT P.PARAMETER_VALUE AS SLOT, E.STATUS, E.EXIT_CODE "
					+ "FROM BATCH_JOB_EXECUTION E JOIN BATCH_JOB_EXECUTION_PARAMS P "
					+ "ON P.JOB_EXECUTION_ID = E.JOB_EXECUTION_ID WHERE P.PARAMETER_NAME = '" + JobSchedule.SLOT
					+ "'")) {
				slots.computeIfAbsent(Instant.parse((String) row.get("slot")), (slot) -> new ArrayList<>())
					.add(row.get("status") + " " + row.get("exit_code"));
			}
			Instant first = Instant.ofEpochSecond((allServing.getEpochSecond() / PERIOD + 1) * PERIOD);
			Instant last = Instant.ofEpochSecond((stopping.getEpochSecond() / PERIOD - 1) * PERIOD);
			assertThat(last).isAfter(first.plusSeconds(5 * PERIOD));
			for (Instant slot = first; !slot.isAfter(last); slot = slot.plusSeconds(PERIOD)) {
				assertThat(slots.get(slot)).as("executions of slot %s among %s", slot, slots)
					.containsExactly("COMPLETED COMPLETED");
			}
			assertThat(history.query("SELECT JOB_EXECUTION_ID FROM BATCH_JOB_EXECUTION "
					+ "WHERE STATUS IN ('STARTING', 'STARTED', 'STOPPING')"))
				.as("executions left running")
				.isEmpty();
		}
	}

}
