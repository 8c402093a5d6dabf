package dev.workflowkeeper.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A one-off command launched while the worker runs shares the worker's history database
 * (H2 in AUTO_SERVER mode) instead of failing on a locked file.
 */
class SharedHistoryFunctionalTests {

	@TempDir
	Path tmp;

	@Test
	void shouldRecordAOneOffCommandInTheHistoryOfARunningWorker() throws Exception {
		// given: the worker serving in its own process, holding the history file
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data")).with("server.port", 0);
		Process worker = cli.start("serve");
		try {
			awaitServing(cli, worker);
			Path snapshot = SampleStates.writeMap(this.tmp.resolve("states.json"), SampleStates.states(10));

			// when: a one-off migration in another process (this JVM)
			KeeperCli.Result result = cli.run("migrate", "--from", "snapshot:" + snapshot, "--to",
					"snapshot:" + this.tmp.resolve("copy.jsonl"));

			// then: it ran and is in the shared history, while the worker still runs
			assertThat(result.exitCode()).as(result.toString()).isZero();
			assertThat(History.latest(cli).get("job")).isEqualTo("migrateStatesJob");
			assertThat(History.latest(cli).get("status")).isEqualTo("COMPLETED");
			assertThat(worker.isAlive()).isTrue();
		}
		finally {
			worker.destroy();
			worker.waitFor();
		}
		// and: stopped (SIGTERM), the worker closed the history before H2's shutdown hook
		// could, and H2 traced no error on the way
		assertThat(Files.readString(cli.dataDir().resolve("process.err"))).doesNotContain("already closed");
		Path trace = cli.dataDir().resolve("history.trace.db");
		assertThat(Files.exists(trace) ? Files.readString(trace) : "").isEmpty();
	}

	private static void awaitServing(KeeperCli cli, Process worker) throws Exception {
		Path err = cli.dataDir().resolve("process.err");
		long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
		while (System.nanoTime() < deadline) {
			if (!worker.isAlive()) {
				throw new IllegalStateException("the worker exited: " + Files.readString(err));
			}
			if (Files.exists(err) && Files.readString(err).contains("workflow-keeper is serving")) {
				return;
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("the worker did not start: " + Files.readString(err));
	}

}
