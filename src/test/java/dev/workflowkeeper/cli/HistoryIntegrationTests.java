package dev.workflowkeeper.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.assertj.core.api.InstanceOfAssertFactories;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code history} after real runs of every job on a real redis-server: each execution in
 * its job's own figures ("scanned 17, deleted 5"; a dry run "would delete"), with what it
 * was asked to do, and none of the launchers' internal parameters.
 */
@ExtendWith(RedisServerExtension.class)
class HistoryIntegrationTests {

	private static final String P = SampleStates.PREFIX;

	@TempDir
	Path tmp;

	KeeperCli cli;

	RedisDatabase redis;

	@BeforeEach
	void setUp(RedisDatabase redis) {
		this.redis = redis;
		this.cli = new KeeperCli(this.tmp.resolve("data"));
		// 10 fresh, 2 fresh without a TTL, 4 stale (3 days old), 1 finished 30 hours ago
		try (Jedis jedis = redis.jedis()) {
			for (int i = 0; i < 10; i++) {
				jedis.setex(P + "fresh" + i, 3_600, SampleStates.state("fresh" + i, "processing", 60));
			}
			for (int i = 0; i < 2; i++) {
				jedis.set(P + "nottl" + i, SampleStates.state("nottl" + i, "processing", 60));
			}
			for (int i = 0; i < 4; i++) {
				jedis.setex(P + "stale" + i, 3_600, SampleStates.state("stale" + i, "processing", 3 * 86_400));
			}
			jedis.setex(P + "done0", 3_600, SampleStates.state("done0", "completed", 30 * 3_600));
		}
	}

	@Test
	void shouldShowEveryJobInItsOwnFiguresWithWhatItWasAskedToDo() {
		// given: a run of every job
		String store = this.redis.uri();
		run("generate", "--to", "snapshot:" + this.tmp.resolve("generated.jsonl"), "--count", "20");
		run("report", "--store", store);
		run("enforce-ttl", "--store", store, "--dry-run");
		run("enforce-ttl", "--store", store);
		run("purge", "--store", store, "--dry-run");
		run("purge", "--store", store);
		run("migrate", "--from", store, "--to", "snapshot:" + this.tmp.resolve("copy.jsonl"));
		run("run", "pruneHistoryJob", "--dry-run");

		// when
		KeeperCli.Result history = this.cli.run("history");

		// then: one row per run, newest first, each with its figures and a description
		assertThat(history.exitCode()).as(history.toString()).isZero();
		Map<String, String[]> rows = rows(history.out());
		assertThat(rows.keySet()).containsExactly("8", "7", "6", "5", "4", "3", "2", "1");
		assertThat(history.out()).doesNotContain("run=").doesNotContain("READ").doesNotContain("WRITTEN");
		assertThat(rows.values()).allSatisfy((row) -> {
			assertThat(row[0]).as("figures").isNotBlank();
			assertThat(row[1]).as("description").isNotBlank();
		});
		assertThat(rows.get("1")).containsExactly("written 20",
				"write 20 sample states to snapshot:" + this.tmp.resolve("generated.jsonl") + ", seed 1");
		assertThat(rows.get("2")[0]).startsWith("keys 17, memory ").endsWith(", 2 without a TTL");
		assertThat(rows.get("2")[1]).isEqualTo("memory report of " + store);
		assertThat(rows.get("3")).containsExactly("checked 17, would fix 2 (2 missing, 0 capped)",
				"dry run: enforce TTLs on " + store + ", at most 24h, spread over 1h");
		assertThat(rows.get("4")).containsExactly("checked 17, fixed 2 (2 missing, 0 capped)",
				"enforce TTLs on " + store + ", at most 24h, spread over 1h");
		assertThat(rows.get("5")).containsExactly("scanned 17, would delete 5 (4 stale, 1 old finished)",
				"dry run: purge " + store + ", stale after 48h, finished after 24h");
		assertThat(rows.get("6")).containsExactly("scanned 17, deleted 5, archived 5",
				"purge " + store + ", stale after 48h, finished after 24h");
		assertThat(rows.get("7")).containsExactly("read 12, written 12, rejected 0, verified",
				"copy " + store + " to snapshot:" + this.tmp.resolve("copy.jsonl"));
		assertThat(rows.get("8")[0]).startsWith("would delete 0 history instances (").endsWith("kept), 0 files");
		assertThat(rows.get("8")[1]).startsWith("dry run: prune the job history");
	}

	@Test
	void shouldTellAFailedRunWhyInOneLine() {
		// given: a purge the share guard refuses (5 of 17 at most 10%)
		KeeperCli.Result purge = this.cli.run("run", "purgeStatesJob", "--store", this.redis.uri(), "--max-share",
				"0.1");
		assertThat(purge.exitCode()).as(purge.toString()).isEqualTo(1);

		// when
		KeeperCli.Result history = this.cli.run("history");

		// then
		String[] row = rows(history.out()).get("1");
		assertThat(row[0]).isEqualTo("scanned 17, deleted 0 (5 judged deletable)");
		assertThat(row[1]).startsWith("purge " + this.redis.uri() + ", stale after 48h, finished after 24h — ")
			.contains("the purge would delete 5 of 17 scanned states")
			.doesNotContain("Exception");
	}

	@Test
	void shouldGiveTheJsonFormTheSameLinesBesideEveryParameterAndFigure() {
		// given
		run("purge", "--store", this.redis.uri(), "--dry-run");

		// when
		KeeperCli.Result history = this.cli.run("history", "--format", "json");

		// then
		List<Map<String, Object>> executions = JsonMapper.builder()
			.build()
			.readValue(history.out(), new TypeReference<>() {
			});
		assertThat(executions).singleElement().satisfies((execution) -> {
			assertThat(execution.get("outcome")).isEqualTo("scanned 17, would delete 5 (4 stale, 1 old finished)");
			assertThat(execution.get("description"))
				.isEqualTo("dry run: purge " + this.redis.uri() + ", stale after 48h, finished after 24h");
			assertThat(execution.get("figures")).asInstanceOf(InstanceOfAssertFactories.MAP)
				.containsEntry("purgeScan.scanned", 17);
		});
	}

	private void run(String... args) {
		KeeperCli.Result result = this.cli.run(args);
		assertThat(result.exitCode()).as(result.toString()).isZero();
	}

	/**
	 * The table's rows by execution id: the FIGURES and DESCRIPTION columns, found at the
	 * header's offsets.
	 */
	private static Map<String, String[]> rows(String table) {
		List<String> lines = table.lines().toList();
		String header = lines.get(0);
		int figures = header.indexOf("FIGURES");
		int description = header.indexOf("DESCRIPTION");
		assertThat(figures).as(header).isPositive();
		assertThat(description).as(header).isGreaterThan(figures);
		Map<String, String[]> rows = new LinkedHashMap<>();
		for (String line : lines.subList(1, lines.size())) {
			rows.put(line.substring(0, line.indexOf(' ')),
					new String[] { line.substring(figures, description).strip(), line.substring(description).strip() });
		}
		return rows;
	}

}
