package dev.workflowkeeper.store.memory;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.WorkerHttp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code memory:} store shared by real processes: one owner at a time, a clear
 * refusal for any other, nothing lost when the owner stops, and every committed chunk
 * kept when it is killed.
 */
class MemoryStoreOwnershipFunctionalTests {

	static final String PREFIX = "document_workflow:";

	static final String ADMIN_PASSWORD = "op-secret-4711";

	@TempDir
	Path tmp;

	@Test
	void shouldRefuseAOneOffCommandWhileServeOwnsTheStoreAndLoseNoWrite() throws Exception {
		// given 1,500 states, and a worker serving on the memory store
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data"));
		assertThat(cli.run("generate", "--to", "memory:", "--count", "1500").exitCode()).isZero();
		KeeperCli serving = new KeeperCli(cli.dataDir()).with("server.port", 0)
			.with("keeper.scheduling.enabled", false)
			.with("keeper.ops.admin-password", ADMIN_PASSWORD);
		Process worker = serving.start("serve");
		try {
			int port = serving.awaitServing(worker);
			// which adds 100 over HTTP
			HttpResponse<String> launched = new WorkerHttp(port, ADMIN_PASSWORD)
				.post("/actuator/workflowjobs/generateStatesJob", "{\"to\": \"memory:\", \"count\": 100, \"seed\": 2}");
			assertThat(launched.statusCode()).as(launched.body()).isEqualTo(200);
			awaitCompleted(port, JsonMapper.builder().build().readTree(launched.body()).get("executionId").asLong());

			// when another process wants the store
			KeeperCli other = new KeeperCli(this.tmp.resolve("other")).with("keeper.data-dir", cli.dataDir())
				.with("spring.datasource.url", cli.settings().get("spring.datasource.url"));
			KeeperCli.Result refused = other
				.await(other.start("generate", "--to", "memory:", "--count", "50", "--seed", "3"), 120);

			// then it is refused in one line that names the owner and what to do
			assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(2);
			List<String> errors = refused.err().lines().filter((line) -> line.startsWith("error:")).toList();
			assertThat(errors).as(refused.toString()).hasSize(1);
			assertThat(errors.get(0)).contains("is in use by pid " + worker.pid() + " (serve, since ")
				.contains("launch the job over HTTP on that worker");
			assertThat(refused.err()).doesNotContain("\tat ").doesNotContain("Exception");

			// when the worker stops
			worker.destroy();
			serving.await(worker, 120);
		}
		finally {
			worker.destroyForcibly();
		}

		// then its file holds everything it had, and the one-off may run now
		assertThat(stateCount(cli)).isEqualTo(1600);
		KeeperCli.Result oneOff = cli.run("generate", "--to", "memory:", "--count", "50", "--seed", "3");
		assertThat(oneOff.exitCode()).as(oneOff.toString()).isZero();
		assertThat(stateCount(cli)).isEqualTo(1650);
	}

	@Test
	void shouldKeepEveryCommittedChunkWhenItsOwnerIsKilledAndResumeExactly() throws Exception {
		// given a long generation into the memory store in its own process
		int count = 40_000;
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data")).with("keeper.migration.chunk-size", 100);
		String[] command = { "generate", "--to", "memory:", "--count", Integer.toString(count) };
		Process generate = cli.start(List.of("-Xmx1g"), command);
		awaitJournal(cli, generate);

		// when it is killed (SIGKILL: no shutdown hook, no save)
		generate.destroyForcibly();
		generate.waitFor();

		// then the next process gets the store, with every state of the committed chunks
		// (at least: H2 may lose its last commits to a SIGKILL — on a loaded machine even
		// the run's start — the store does not)
		KeeperCli.Result recorded = cli.run("history", "--limit", "1", "--format", "json");
		long committed = 0;
		if (!recorded.out().strip().equals("[]")) {
			Map<String, Object> killed = History.latest(cli);
			// STARTING: the execution's creation committed, the update to STARTED lost
			assertThat(killed.get("status")).as(killed.toString()).isIn("STARTING", "STARTED");
			committed = ((Number) killed.get("written")).longValue();
		}
		assertThat(committed).isLessThan(count);
		assertThat(stateCount(cli)).isGreaterThanOrEqualTo(committed).isPositive();

		// when the same command runs again
		KeeperCli.Result rerun = cli.run(command);

		// then it resumed after the last committed chunk, and the store holds each state
		// once
		assertThat(rerun.exitCode()).as(rerun.toString()).isZero();
		Map<String, Object> resumed = History.latest(cli);
		assertThat(resumed.get("status")).isEqualTo("COMPLETED");
		assertThat(committed + ((Number) resumed.get("written")).longValue()).isEqualTo(count);
		assertThat(stateCount(cli)).isEqualTo(count);
	}

	@Test
	void shouldMigrateTheStoresFileAsASnapshot() throws Exception {
		// given
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data"));
		assertThat(cli.run("generate", "--to", "memory:", "--count", "20").exitCode()).isZero();
		Path file = cli.dataDir().resolve("memory-store.jsonl");

		// when
		KeeperCli.Result migrated = cli.run("migrate", "--from", "snapshot:" + file, "--to", "memory:",
				"--target-prefix", "copy:");

		// then each state is copied under its thread id, not under its key
		assertThat(migrated.exitCode()).as(migrated.toString()).isZero();
		MemoryWorkflowStore store = new MemoryWorkflowStore(cli.settings().keeperProperties());
		try {
			assertThat(store.count("copy:")).isEqualTo(20);
			assertThat(store.count("copy:" + PREFIX)).isZero();
			assertThat(store.entries().keySet()).allSatisfy((key) -> assertThat(key).doesNotContain(PREFIX + PREFIX));
		}
		finally {
			store.destroy();
		}
	}

	@Test
	void shouldRefuseEveryCommandOnTheStoreInOneLineWhileAnotherOwnerHoldsIt() throws Exception {
		// given an owner of the store
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data"));
		Files.writeString(this.tmp.resolve("in.jsonl"),
				"{\"thread_id\":\"t1\",\"state\":{\"n\":1},\"expires_at\":\"2099-01-01T00:00:00.000Z\"}\n");
		MemoryWorkflowStore owner = new MemoryWorkflowStore(cli.settings().keeperProperties());
		owner.open();
		try {
			for (String[] command : List.of(new String[] { "generate", "--to", "memory:", "--count", "5" },
					new String[] { "report", "--store", "memory:" },
					new String[] { "enforce-ttl", "--store", "memory:", "--dry-run" },
					new String[] { "purge", "--store", "memory:", "--dry-run" },
					new String[] { "migrate", "--from", "memory:", "--to",
							"snapshot:" + this.tmp.resolve("out.jsonl") },
					new String[] { "migrate", "--from", "snapshot:" + this.tmp.resolve("in.jsonl"), "--to", "memory:" },
					new String[] { "run", "reportMemoryJob", "--store", "memory:" })) {
				// when
				KeeperCli.Result result = cli.run(command);

				// then
				assertThat(result.exitCode()).as(String.join(" ", command) + ": " + result).isEqualTo(2);
				assertThat(result.err().lines().filter((line) -> line.startsWith("error:")))
					.as(String.join(" ", command) + ": " + result)
					.singleElement()
					.asString()
					.contains("is in use by pid " + ProcessHandle.current().pid());
				assertThat(result.err()).doesNotContain("\tat ");
			}
		}
		finally {
			owner.destroy();
		}
	}

	@Test
	void shouldRefuseAnHttpLaunchOnAMemoryStoreAnotherProcessOwnsWithoutRecordingARun() throws Exception {
		// given a worker serving on Redis, and another process (this one) owning the
		// memory store
		KeeperCli serving = new KeeperCli(this.tmp.resolve("data")).with("server.port", 0)
			.with("keeper.scheduling.enabled", false)
			.with("keeper.redis.use-redis", true)
			.with("keeper.redis.url", "redis://127.0.0.1:1/0")
			.with("keeper.ops.admin-password", ADMIN_PASSWORD);
		MemoryWorkflowStore owner = new MemoryWorkflowStore(serving.settings().keeperProperties());
		owner.open();
		Process worker = serving.start("serve");
		try {
			int port = serving.awaitServing(worker);

			// when a job on the memory store is launched over HTTP
			HttpResponse<String> launched = new WorkerHttp(port, ADMIN_PASSWORD)
				.post("/actuator/workflowjobs/generateStatesJob", "{\"to\": \"memory:\", \"count\": 10}");

			// then it is refused as a conflict naming the owner, and no run is recorded
			assertThat(launched.statusCode()).as(launched.body()).isEqualTo(409);
			assertThat(launched.body()).contains("is in use by pid " + ProcessHandle.current().pid());
			HttpResponse<String> executions = new WorkerHttp(port, ADMIN_PASSWORD)
				.get("/actuator/workflowjobs/generateStatesJob");
			assertThat(executions.body()).contains("\"total\":0");
		}
		finally {
			worker.destroy();
			serving.await(worker, 120);
			owner.destroy();
		}
	}

	@Test
	void shouldNotStartServeOnAMemoryStoreAnotherProcessOwns() throws Exception {
		// given another process (this one) owns the store
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data")).with("server.port", 0)
			.with("keeper.scheduling.enabled", false);
		MemoryWorkflowStore owner = new MemoryWorkflowStore(cli.settings().keeperProperties());
		owner.open();
		try {
			// when
			KeeperCli.Result serve = cli.await(cli.start("serve"), 120);

			// then
			assertThat(serve.exitCode()).as(serve.toString()).isEqualTo(2);
			assertThat(serve.err().lines().filter((line) -> line.startsWith("error:"))).as(serve.toString())
				.singleElement()
				.asString()
				.contains("is in use by pid " + ProcessHandle.current().pid());
			assertThat(serve.err()).doesNotContain("\tat ");
		}
		finally {
			owner.destroy();
		}
	}

	/** The states under the prefix, as the next owner of the store loads them. */
	private static long stateCount(KeeperCli cli) {
		MemoryWorkflowStore store = new MemoryWorkflowStore(cli.settings().keeperProperties());
		try {
			return store.count(PREFIX);
		}
		finally {
			store.destroy();
		}
	}

	/** Waits until the generation has journaled a few chunks. */
	private static void awaitJournal(KeeperCli cli, Process process) throws Exception {
		Path journal = cli.dataDir().resolve(MemoryJournal.FILE_NAME);
		long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		while (System.nanoTime() < deadline) {
			if (!process.isAlive()) {
				throw new IllegalStateException("the command ended before it was killed: "
						+ Files.readString(cli.dataDir().resolve("process.err")));
			}
			if (Files.exists(journal) && Files.size(journal) > 5_000_000) {
				return;
			}
			Thread.sleep(20);
		}
		throw new IllegalStateException("the generation did not start writing");
	}

	private static void awaitCompleted(int port, long id) throws Exception {
		long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
		while (System.nanoTime() < deadline) {
			HttpResponse<String> response = new WorkerHttp(port, ADMIN_PASSWORD)
				.get("/actuator/workflowjobs/executions/" + id);
			JsonNode execution = JsonMapper.builder().build().readTree(response.body());
			if ("COMPLETED".equals(execution.get("status").asString())) {
				return;
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("execution " + id + " did not complete");
	}

}
