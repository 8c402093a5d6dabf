package dev.workflowkeeper.store.redis;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisClusterProcess;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.SampleStates;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisCluster;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A failover in the middle of a purge on a Redis Cluster with a replica per master: the
 * run either copes or fails and is resumed by the same command; in the end exactly the
 * stale states are gone, every fresh one is kept, and the figures count each deletion
 * once.
 */
class RedisClusterFailoverFunctionalTests {

	private static final String P = SampleStates.PREFIX;

	private static RedisClusterProcess cluster;

	@TempDir
	Path tmp;

	@BeforeAll
	static void start() {
		cluster = RedisClusterProcess.start(Version.DEFAULT, 3, true);
	}

	@AfterAll
	static void stop() {
		if (cluster != null) {
			cluster.close();
		}
	}

	@Test
	void shouldDeleteExactlyTheStaleStatesWhenAMasterFailsOverDuringAPurge() throws Exception {
		// given: 1,500 stale states and 1,500 fresh ones over three masters
		try (JedisCluster client = cluster.client()) {
			for (int i = 0; i < 1_500; i++) {
				client.setex(P + "stale" + i, 86_000, SampleStates.state("stale" + i, "processing", 3 * 86_400));
				client.setex(P + "fresh" + i, 86_000, SampleStates.state("fresh" + i, "processing", 60));
			}
		}
		// small pages: many SCANs per master, so that the failover falls between two
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data")).with("keeper.redis.scan-count", 50);
		String store = cluster.uri();

		// when: a paced purge, and the first master fails over to its replica meanwhile
		CompletableFuture<KeeperCli.Result> purge = CompletableFuture
			.supplyAsync(() -> cli.run("purge", "--store", store, "--max-rate", "150"));
		awaitKeysRead(cluster.master(0).port(), 150);
		cluster.failover(0);
		KeeperCli.Result first = purge.get(5, TimeUnit.MINUTES);
		KeeperCli.Result resumed = (first.exitCode() == 0) ? first : cli.run("purge", "--store", store);

		// then
		assertThat(resumed.exitCode()).as(first + "\n" + resumed).isZero();
		Map<String, Object> execution = History.latest(cli);
		assertThat(History.figure(execution, "purge.deleted")).as(first.toString()).isEqualTo(1_500);
		try (JedisCluster client = cluster.client()) {
			for (int i = 0; i < 1_500; i++) {
				assertThat(client.exists(P + "stale" + i)).as("stale" + i).isFalse();
				assertThat(client.exists(P + "fresh" + i)).as("fresh" + i).isTrue();
			}
		}
		// and a second purge finds nothing more
		cli.run("purge", "--store", store);
		Map<String, Object> again = History.latest(cli);
		assertThat(History.figure(again, "purgeScan.stale")).isZero();
		assertThat(History.figure(again, "purgeScan.scanned")).isEqualTo(1_500);
	}

	/**
	 * Waits until the master at {@code port} has read {@code keys} keys for the purge
	 * since its start: the scan is in the middle of that master.
	 */
	private static void awaitKeysRead(int port, long keys) throws InterruptedException {
		long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
		try (Jedis jedis = new Jedis("127.0.0.1", port)) {
			while (keyspaceHits(jedis) < keys) {
				assertThat(System.nanoTime()).as("the purge reads the first master").isLessThan(deadline);
				Thread.sleep(20);
			}
		}
	}

	private static long keyspaceHits(Jedis jedis) {
		Matcher matcher = Pattern.compile("keyspace_hits:(\\d+)").matcher(jedis.info("stats"));
		return matcher.find() ? Long.parseLong(matcher.group(1)) : 0;
	}

}
