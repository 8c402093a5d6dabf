package dev.workflowkeeper.store.redis;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.pace.PaceMeter;
import dev.workflowkeeper.pace.PaceSettings;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static dev.workflowkeeper.support.SampleStates.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pace of a real server's work: a rate limit holds over a whole scan, and a latency
 * budget slows the work down while the server is slow to answer others (a Lua script that
 * keeps it busy, as a heavy command of the service would) and speeds it up again once it
 * is not.
 */
class RedisPaceIntegrationTests {

	private static final String BUSY_SCRIPT = """
			local t = redis.call('TIME')
			local start = t[1] * 1000000 + t[2]
			repeat
			  local n = redis.call('TIME')
			until (n[1] * 1000000 + n[2]) - start >= tonumber(ARGV[1])
			return 1
			""";

	@RegisterExtension
	static final RedisServerExtension servers = new RedisServerExtension();

	@Test
	void shouldReadNoFasterThanTheRateLimitOverAWholeScan() throws Exception {
		// given: 20,000 keys, and a reader limited to 5,000 keys a second
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		write(server, 20_000);
		Meter meter = new Meter(new PaceSettings(5_000, Duration.ZERO));
		KeeperProperties.Redis settings = WorkerSettings.defaults().keeperProperties().redis();
		try (RedisNode node = RedisNode.connect(
				RedisEndpoint.of(dev.workflowkeeper.store.StoreUri.parse(server.uri()), settings), server.uri(),
				settings, meter)) {
			// when: it reads them all
			long started = System.nanoTime();
			int read = readAll(node);
			double seconds = (System.nanoTime() - started) / 1e9;
			// then: every key, in no less than 4 seconds, most of them waiting for the
			// rate
			assertThat(read).isEqualTo(20_000);
			assertThat(seconds).isGreaterThanOrEqualTo(4.0);
			assertThat(meter.throttledNanos.get()).isGreaterThan(TimeUnit.SECONDS.toNanos(3));
		}
	}

	@Test
	void shouldSlowDownWhileTheServerIsBusyAndSpeedUpAgainAfterwards() throws Exception {
		// given: work paced by a 5 ms budget, going at full pace on a quiet server
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		write(server, 20_000);
		Meter meter = new Meter(new PaceSettings(0, Duration.ofMillis(5)));
		KeeperProperties.Redis settings = WorkerSettings.defaults().keeperProperties().redis();
		try (RedisNode node = RedisNode.connect(
				RedisEndpoint.of(dev.workflowkeeper.store.StoreUri.parse(server.uri()), settings), server.uri(),
				settings, meter); Work work = new Work(node)) {
			RedisPace pace = paceOf(node);
			awaitFullPace(pace, settings, Duration.ofSeconds(30));
			// when: a script keeps the server busy 15 ms out of every 30
			AtomicBoolean busy = new AtomicBoolean(true);
			Thread injector = new Thread(() -> {
				try (Jedis jedis = server.jedis()) {
					while (busy.get()) {
						jedis.eval(BUSY_SCRIPT, 0, "15000");
						sleep(15);
					}
				}
			});
			injector.start();
			// then: the work slows down to its gentlest
			long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
			while (!(pace.batch(Integer.MAX_VALUE) == RedisPace.MIN_BATCH && pace.permits() == 1
					&& !Double.isInfinite(pace.rate())) && System.nanoTime() < deadline) {
				Thread.sleep(20);
			}
			assertThat(pace.batch(Integer.MAX_VALUE)).isEqualTo(RedisPace.MIN_BATCH);
			assertThat(pace.permits()).isEqualTo(1);
			assertThat(pace.rate()).isFinite();
			assertThat(meter.throttledNanos.get()).isPositive();
			// and when the server is quiet again, it recovers its full pace
			busy.set(false);
			injector.join();
			awaitFullPace(pace, settings, Duration.ofSeconds(45));
			assertThat(work.keys.get()).isPositive();
			assertThat(meter.probes.get()).isGreaterThan(100);
		}
	}

	@Test
	void shouldCarryNoMoreKeysARoundTripThanTheServerServesWithinTheBudget() throws Exception {
		// given: states of 2 KB, and work paced by a 200 µs budget that could carry 1,000
		// keys
		// a round trip (2 MB: milliseconds of the server's time)
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		try (Jedis jedis = server.jedis(); Pipeline pipeline = jedis.pipelined()) {
			String value = "{\"status\":\"running\",\"text\":\"" + "x".repeat(2048) + "\"}";
			for (int i = 0; i < 1000; i++) {
				pipeline.setex(PREFIX + "t-" + i, 86_400, value);
			}
			pipeline.sync();
		}
		Meter meter = new Meter(new PaceSettings(0, Duration.ofNanos(200_000)));
		KeeperProperties.Redis settings = WorkerSettings.defaults().keeperProperties().redis();
		try (RedisNode node = RedisNode.connect(
				RedisEndpoint.of(dev.workflowkeeper.store.StoreUri.parse(server.uri()), settings), server.uri(),
				settings, meter)) {
			RedisPace pace = paceOf(node);
			assertThat(pace.budgetBatch()).isEqualTo(Integer.MAX_VALUE);
			// when: it works a while
			try (Work work = new Work(node)) {
				long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
				while (work.keys.get() < 20_000 && System.nanoTime() < deadline) {
					Thread.sleep(20);
				}
				assertThat(work.keys.get()).isGreaterThanOrEqualTo(20_000);
			}
			// then: a round trip carries what the server serves within the budget, no
			// more
			// (and never fewer than the floor)
			assertThat(pace.budgetBatch()).isBetween(RedisPace.MIN_BATCH, 999);
			assertThat(pace.batch(1000)).isLessThanOrEqualTo(pace.budgetBatch());
		}
	}

	private static void awaitFullPace(RedisPace pace, KeeperProperties.Redis settings, Duration timeout)
			throws InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (!fullPace(pace, settings) && System.nanoTime() < deadline) {
			Thread.sleep(20);
		}
		assertThat(pace.rate()).isInfinite();
		// full pace: as many keys a round trip as the settings and the budget allow
		assertThat(pace.budgetBatch()).isGreaterThan(4 * RedisPace.MIN_BATCH);
		assertThat(pace.batch(Integer.MAX_VALUE)).isEqualTo(Math.min(settings.pipelineSize(), pace.budgetBatch()));
		assertThat(pace.permits()).isEqualTo(settings.pipelinesInFlight() + 1);
	}

	private static boolean fullPace(RedisPace pace, KeeperProperties.Redis settings) {
		return Double.isInfinite(pace.rate())
				&& pace.batch(Integer.MAX_VALUE) == Math.min(settings.pipelineSize(), pace.budgetBatch())
				&& pace.permits() == settings.pipelinesInFlight() + 1;
	}

	private static RedisPace paceOf(RedisNode node) throws ReflectiveOperationException {
		java.lang.reflect.Field field = RedisNode.class.getDeclaredField("pace");
		field.setAccessible(true);
		return (RedisPace) field.get(node);
	}

	private static int readAll(RedisNode node) throws Exception {
		ItemStreamReader<KeyInfo> reader = new RedisKeyInfoItemReader("keys", node, PREFIX, 1000, 1000, 2,
				KeyDetail.SIZE_AND_TTL);
		reader.open(new ExecutionContext());
		int read = 0;
		while (reader.read() != null) {
			read++;
		}
		reader.close();
		return read;
	}

	private static void write(RedisDatabase server, int count) {
		try (Jedis jedis = server.jedis(); Pipeline pipeline = jedis.pipelined()) {
			for (int i = 0; i < count; i++) {
				pipeline.setex(PREFIX + "t-" + i, 86_400, "{\"status\":\"running\",\"n\":" + i + "}");
			}
			pipeline.sync();
		}
	}

	private static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/** Reads the keys over and over, as fast as the pace lets it, until closed. */
	private static final class Work implements AutoCloseable {

		final AtomicLong keys = new AtomicLong();

		private final AtomicBoolean running = new AtomicBoolean(true);

		private final Thread thread;

		Work(RedisNode node) {
			List<byte[]> batch = new ArrayList<>();
			for (int i = 0; i < 1000; i++) {
				batch.add((PREFIX + "t-" + i).getBytes(StandardCharsets.UTF_8));
			}
			this.thread = new Thread(() -> {
				while (this.running.get()) {
					List<byte[]> keys = batch.subList(0, node.batch(1000));
					node.execute(keys.size(), (jedis) -> {
						try (Pipeline pipeline = jedis.pipelined()) {
							keys.forEach(pipeline::get);
							pipeline.sync();
						}
						return null;
					});
					this.keys.addAndGet(keys.size());
				}
			});
			this.thread.start();
		}

		@Override
		public void close() throws InterruptedException {
			this.running.set(false);
			this.thread.join();
		}

	}

	/** Counts what the pace tells. */
	private static final class Meter implements PaceMeter {

		final AtomicLong throttledNanos = new AtomicLong();

		final AtomicLong probes = new AtomicLong();

		private final PaceSettings settings;

		Meter(PaceSettings settings) {
			this.settings = settings;
		}

		@Override
		public PaceSettings settings() {
			return this.settings;
		}

		@Override
		public void throttled(long nanos) {
			this.throttledNanos.addAndGet(nanos);
		}

		@Override
		public void probed(long latencyNanos) {
			this.probes.incrementAndGet();
		}

		@Override
		public void pace(String server, String pace) {
		}

		@Override
		public void closed() {
		}

	}

}
