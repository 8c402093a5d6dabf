package dev.workflowkeeper.scheduling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Schedule files are read by the jobs' own definitions when {@code serve} starts: an
 * option a job does not know, a value of the wrong kind, or one its rules refuse stops
 * the worker with exit 2 and one line before anything runs, and the command line refuses
 * the same mistake with the same words.
 */
class ScheduleOptionsFunctionalTests {

	@TempDir
	Path tmp;

	KeeperCli cli;

	Path jobs;

	@BeforeEach
	void setUp() throws IOException {
		this.jobs = Files.createDirectories(this.tmp.resolve("jobs"));
		this.cli = new KeeperCli(this.tmp.resolve("data")).with("server.port", 0)
			.with("keeper.scheduling.enabled", true)
			.with("keeper.scheduling.jobs-dir", this.jobs.toString());
	}

	@Test
	void shouldStopServeOnAMisspeltPurgeOption() throws IOException {
		// given: dryrun, a typo for dryRun, which once ran a real purge every slot
		Path file = schedule("purge-states.yml", "purgeStatesJob", "  dryrun: true\n");

		// when
		KeeperCli.Result result = serve();

		// then
		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(errorLine(result)).isEqualTo("error: " + file
				+ ": purgeStatesJob: unknown option 'dryrun' (did you mean "
				+ "dryRun?); it takes store, staleAfter, terminalRetention, maxShare, dryRun, archive, force, includeUnparseable, "
				+ "maxRate, latencyBudget");
		assertNothingRan();
		KeeperCli.Result command = oneOff().run("purge", "--dryrun");
		assertThat(command.exitCode()).isEqualTo(2);
		assertThat(errorLine(command)).isEqualTo("error: purgeStatesJob: unknown option '--dryrun' (did you mean "
				+ "--dry-run?); it takes --store, --stale-after, --terminal-retention, --dry-run, --no-archive, --force, "
				+ "--include-unparseable, --max-rate, --latency-budget");
	}

	@Test
	void shouldStopServeOnAZeroStaleAfterAndTellItAsTheCommandLineDoes() throws IOException {
		// given: staleAfter 0 (once read as 0 seconds), dryRun "yes" (once read as
		// false), force
		Path file = schedule("purge-states.yml", "purgeStatesJob",
				"  staleAfter: 0\n  dryRun: \"yes\"\n  force: true\n");

		// when
		KeeperCli.Result served = serve();
		KeeperCli.Result command = oneOff().run("purge", "--stale-after", "0", "--force");

		// then
		String refusal = "purgeStatesJob: option staleAfter must be a positive duration such as 90s, 48h, P2D or a number of seconds, not '0'";
		assertThat(served.exitCode()).as(served.toString()).isEqualTo(2);
		assertThat(errorLine(served)).isEqualTo("error: " + file + ": " + refusal);
		assertThat(command.exitCode()).as(command.toString()).isEqualTo(2);
		assertThat(errorLine(command)).isEqualTo("error: " + refusal);
		assertNothingRan();
	}

	@Test
	void shouldStopServeOnAYesForABoolean() throws IOException {
		Path file = schedule("purge-states.yml", "purgeStatesJob", "  dryRun: \"yes\"\n");

		KeeperCli.Result result = serve();

		assertThat(result.exitCode()).as(result.toString()).isEqualTo(2);
		assertThat(errorLine(result))
			.isEqualTo("error: " + file + ": purgeStatesJob: option dryRun must be true or false, not 'yes'");
		assertNothingRan();
	}

	@Test
	void shouldStopServeOnAMaximumTtlBelowTheServiceTtlAsTheCommandLineRefusesIt() throws IOException {
		// given: 3600 s, shorter than WORKFLOW_STATE_TTL (86400 s); a bare number is
		// seconds everywhere
		Path file = schedule("enforce-ttl.yml", "enforceTtlJob", "  maxTtl: 3600\n");

		// when
		KeeperCli.Result served = serve();
		KeeperCli.Result command = oneOff().run("enforce-ttl", "--max-ttl", "1h");

		// then
		String refusal = "enforceTtlJob: option maxTtl of 3600s is shorter than the service's TTL of 86400s "
				+ "(WORKFLOW_STATE_TTL): it would shorten what the service sets";
		assertThat(served.exitCode()).as(served.toString()).isEqualTo(2);
		assertThat(errorLine(served)).isEqualTo("error: " + file + ": " + refusal);
		assertThat(command.exitCode()).as(command.toString()).isEqualTo(2);
		assertThat(errorLine(command)).isEqualTo("error: " + refusal);
		assertNothingRan();
	}

	@Test
	void shouldStopServeOnASpreadOfMoreThanHalfTheServiceTtlAsTheCommandLineRefusesIt() throws IOException {
		// given: 13 hours, more than half of WORKFLOW_STATE_TTL (24 h)
		Path file = schedule("enforce-ttl.yml", "enforceTtlJob", "  spread: 13h\n");

		// when
		KeeperCli.Result served = serve();
		KeeperCli.Result command = oneOff().run("enforce-ttl", "--spread", "13h");
		KeeperCli.Result run = oneOff().run("run", "enforceTtlJob", "--spread", "46800");

		// then
		String refusal = "enforceTtlJob: option spread of 46800s is more than half the service's TTL of 86400s "
				+ "(WORKFLOW_STATE_TTL): a state could keep less than half of it; 0 spreads nothing";
		assertThat(served.exitCode()).as(served.toString()).isEqualTo(2);
		assertThat(errorLine(served)).isEqualTo("error: " + file + ": " + refusal);
		assertThat(command.exitCode()).as(command.toString()).isEqualTo(2);
		assertThat(errorLine(command)).isEqualTo("error: " + refusal);
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
		assertThat(errorLine(run)).isEqualTo("error: " + refusal);
		assertNothingRan();
	}

	@Test
	void shouldTakeASpreadOfZeroForNoneOnTheCommandLine() {
		// when
		KeeperCli.Result command = oneOff().run("enforce-ttl", "--store", "memory:", "--spread", "0");
		KeeperCli.Result negative = oneOff().run("enforce-ttl", "--store", "memory:", "--spread", "-5m");

		// then
		assertThat(command.exitCode()).as(command.toString()).isZero();
		assertThat(negative.exitCode()).as(negative.toString()).isEqualTo(2);
		assertThat(errorLine(negative)).isEqualTo("error: enforceTtlJob: option spread must be a positive duration "
				+ "such as 90s, 48h, P2D or a number of seconds, or 0, not '-5m'");
	}

	@Test
	void shouldStopServeOnANegativeMaxRateAndRefuseItAsTheCommandsDo() throws IOException {
		// given
		Path file = schedule("purge-states.yml", "purgeStatesJob", "  maxRate: -1\n  dryRun: true\n");

		// when
		KeeperCli.Result served = serve();
		KeeperCli.Result command = oneOff().run("purge", "--store", "memory:", "--max-rate", "-1", "--dry-run");
		KeeperCli.Result run = oneOff().run("run", "purgeStatesJob", "--store", "memory:", "--maxRate=-1");

		// then
		String refusal = "purgeStatesJob: option maxRate must be a whole number of keys a second, 0 (no limit) "
				+ "or more, not '-1'";
		assertThat(served.exitCode()).as(served.toString()).isEqualTo(2);
		assertThat(errorLine(served)).isEqualTo("error: " + file + ": " + refusal);
		assertThat(command.exitCode()).as(command.toString()).isEqualTo(2);
		assertThat(errorLine(command)).isEqualTo("error: " + refusal);
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
		assertThat(errorLine(run)).isEqualTo("error: " + refusal);
		assertNothingRan();
	}

	@Test
	void shouldStopServeOnAnUnreadableLatencyBudgetAndRefuseItAsTheCommandsDo() throws IOException {
		// given
		Path file = schedule("report.yml", "reportMemoryJob", "  latencyBudget: fast\n");

		// when
		KeeperCli.Result served = serve();
		KeeperCli.Result command = oneOff().run("report", "--store", "memory:", "--latency-budget", "fast");
		KeeperCli.Result run = oneOff().run("run", "reportMemoryJob", "--store", "memory:", "--latency-budget", "fast");
		KeeperCli.Result generate = oneOff().run("generate", "--to", "memory:", "--count", "5", "--latency-budget",
				"fast");
		KeeperCli.Result migrate = oneOff().run("migrate", "--from", "memory:", "--to",
				"snapshot:" + this.tmp.resolve("copy.jsonl"), "--latency-budget", "fast");

		// then
		String refusal = "option latencyBudget must be a positive duration such as 90s, 48h, P2D or a number of "
				+ "seconds, or 0, not 'fast'";
		assertThat(served.exitCode()).as(served.toString()).isEqualTo(2);
		assertThat(errorLine(served)).isEqualTo("error: " + file + ": reportMemoryJob: " + refusal);
		assertThat(command.exitCode()).as(command.toString()).isEqualTo(2);
		assertThat(errorLine(command)).isEqualTo("error: reportMemoryJob: " + refusal);
		assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
		assertThat(errorLine(run)).isEqualTo("error: reportMemoryJob: " + refusal);
		assertThat(generate.exitCode()).as(generate.toString()).isEqualTo(2);
		assertThat(errorLine(generate)).isEqualTo("error: generateStatesJob: " + refusal);
		assertThat(migrate.exitCode()).as(migrate.toString()).isEqualTo(2);
		assertThat(errorLine(migrate)).isEqualTo("error: migrateStatesJob: " + refusal);
		assertNothingRan();
	}

	@Test
	void shouldRecordTheCommandLinesPaceNotIdentifyingTheRun() {
		// when
		KeeperCli.Result command = oneOff().run("enforce-ttl", "--store", "memory:", "--dry-run", "--max-rate", "5000",
				"--latency-budget", "2ms");
		Map<String, Object> ttl = History.latest(oneOff());
		KeeperCli.Result run = oneOff().run("run", "reportMemoryJob", "--store", "memory:", "--max-rate", "7");
		Map<String, Object> report = History.latest(oneOff());
		KeeperCli.Result byDefault = oneOff().run("generate", "--to", "memory:", "--count", "5");
		Map<String, Object> generate = History.latest(oneOff());

		// then: each in its execution's parameters; absent, the default of
		// keeper.redis.pace.* (the tests' own switch the budget off)
		assertThat(command.exitCode()).as(command.toString()).isZero();
		assertThat(parameters(ttl)).containsEntry("maxRate", "5000").containsEntry("latencyBudget", "PT0.002S");
		assertThat(run.exitCode()).as(run.toString()).isZero();
		assertThat(parameters(report)).containsEntry("maxRate", "7").containsEntry("latencyBudget", "PT0S");
		assertThat(byDefault.exitCode()).as(byDefault.toString()).isZero();
		assertThat(parameters(generate)).containsEntry("maxRate", "0").containsEntry("latencyBudget", "PT0S");
	}

	@SuppressWarnings("unchecked")
	private static Map<String, String> parameters(Map<String, Object> execution) {
		return (Map<String, String>) execution.get("parameters");
	}

	/** The same worker for one-off commands, which fire no schedule. */
	private KeeperCli oneOff() {
		return new KeeperCli(this.tmp.resolve("data"));
	}

	/**
	 * Runs serve, which must stop at start: a worker that serves instead fails the test,
	 * not the build.
	 */
	private KeeperCli.Result serve() {
		return assertTimeoutPreemptively(Duration.ofSeconds(60), () -> this.cli.run("serve"));
	}

	private Path schedule(String name, String job, String options) throws IOException {
		Path file = this.jobs.resolve(name);
		Files.writeString(file, "job: " + job + "\nschedule: \"0 0 4 * * *\"\noptions:\n" + options);
		return file;
	}

	private static String errorLine(KeeperCli.Result result) {
		return result.err().lines().filter((line) -> line.startsWith("error: ")).findFirst().orElse("(no error line)");
	}

	private void assertNothingRan() {
		KeeperCli.Result history = oneOff().run("history", "--format", "json");
		assertThat(history.out().trim()).as(history.toString()).isIn("[]", "");
	}

}
