package dev.workflowkeeper.ttl;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import dev.workflowkeeper.support.History;
import dev.workflowkeeper.support.KeeperCli;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.params.SetParams;

import static dev.workflowkeeper.support.SampleStates.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * No expiry storm: {@code enforce-ttl}, run as an operator runs it, on thousands of
 * states without a TTL and with one far too long, leaves every TTL it set within
 * {@code [maximum - spread, maximum]}, and their expiries spread over that window instead
 * of all in the same second a day later. On Redis 7 with the default spread (an hour of
 * the 24-hour TTL) and on 6.2 with one given.
 */
class TtlSpreadIntegrationTests {

	private static final long MAX = Duration.ofDays(1).toMillis();

	private static final int WITHOUT_TTL = 5_000;

	private static final int TOO_LONG = 1_000;

	@RegisterExtension
	static final RedisServerExtension servers = new RedisServerExtension();

	@TempDir
	Path tmp;

	@ParameterizedTest(name = "{0}, --spread {1}")
	@CsvSource({ "DEFAULT, , 3600", "V6_2, 10m, 600" })
	void shouldSpreadTheExpiriesItSetsBelowTheMaximumAndNeverAboveIt(Version version, String spread,
			long spreadSeconds) {
		// given
		RedisDatabase server = servers.fresh(version);
		List<String> keys = new ArrayList<>();
		try (Jedis jedis = server.jedis(); Pipeline pipeline = jedis.pipelined()) {
			for (int i = 0; i < WITHOUT_TTL + TOO_LONG; i++) {
				String key = PREFIX + "t-" + i;
				String state = "{\"status\": \"processing\", \"n\": " + i + "}";
				if (i < WITHOUT_TTL) {
					pipeline.set(key, state);
				}
				else {
					pipeline.set(key, state, SetParams.setParams().px(10 * MAX));
				}
				keys.add(key);
			}
			pipeline.sync();
		}
		KeeperCli cli = new KeeperCli(this.tmp.resolve("data"));
		List<String> args = new ArrayList<>(List.of("enforce-ttl", "--store", server.uri()));
		if (spread != null) {
			args.addAll(List.of("--spread", spread));
		}

		// when
		KeeperCli.Result run = cli.run(args.toArray(String[]::new));
		Map<String, Long> expireAtSeconds = expiries(server, keys);

		// then: the same figures as ever
		assertThat(run.exitCode()).as(run.toString()).isZero();
		Map<String, Object> execution = History.latest(cli);
		assertThat(History.figure(execution, "ttl.fixedMissing")).isEqualTo(WITHOUT_TTL);
		assertThat(History.figure(execution, "ttl.capped")).isEqualTo(TOO_LONG);
		// every TTL within [maximum - spread, maximum] (less the time the run and the
		// look took), each at the key's own place
		assertThat(expireAtSeconds).hasSize(keys.size());
		long earliest = Collections.min(expireAtSeconds.values());
		long latest = Collections.max(expireAtSeconds.values());
		long now = System.currentTimeMillis() / 1000;
		assertThat(latest).isLessThanOrEqualTo(now + MAX / 1000);
		assertThat(earliest).isGreaterThanOrEqualTo(now + MAX / 1000 - spreadSeconds - 120);
		// spread: no second holds more than 1% of the keys, where they all fell within
		// the run's few seconds before
		Map<Long, Integer> keysBySecond = new TreeMap<>();
		expireAtSeconds.values().forEach((second) -> keysBySecond.merge(second, 1, Integer::sum));
		assertThat(Collections.max(keysBySecond.values())).as("keys expiring in the busiest second")
			.isLessThanOrEqualTo(keys.size() / 100);
		assertThat(latest - earliest).isGreaterThanOrEqualTo(spreadSeconds * 9 / 10);
	}

	/**
	 * Each key's expiry in epoch seconds on the server's clock: its TTL plus the server's
	 * {@code TIME}, read together.
	 */
	private static Map<String, Long> expiries(RedisDatabase server, List<String> keys) {
		Map<String, Response<Long>> replies = new TreeMap<>();
		Response<List<String>> time;
		try (Jedis jedis = server.jedis(); Pipeline pipeline = jedis.pipelined()) {
			time = pipeline.time();
			for (String key : keys) {
				replies.put(key, pipeline.pttl(key));
			}
			pipeline.sync();
		}
		long serverMillis = Long.parseLong(time.get().get(0)) * 1000 + Long.parseLong(time.get().get(1)) / 1000;
		Map<String, Long> expiries = new TreeMap<>();
		replies.forEach((key, pttl) -> {
			assertThat(pttl.get()).as(key).isPositive().isLessThanOrEqualTo(MAX);
			expiries.put(key, (serverMillis + pttl.get()) / 1000);
		});
		return expiries;
	}

}
