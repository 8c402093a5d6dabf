package dev.workflowkeeper.store.redis;

import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import dev.workflowkeeper.pace.CoreShare;
import dev.workflowkeeper.pace.PaceMeter;
import dev.workflowkeeper.pace.PaceSettings;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import redis.clients.jedis.Jedis;

/**
 * How fast the worker works one Redis server: every round trip that reads or writes keys
 * asks for a {@link Permit} first, which may make it wait.
 * <ul>
 * <li>{@code maxRate} keys a second at most: each round trip waits until its keys fit in
 * the rate since the first, so that no stretch of the run goes faster.</li>
 * <li>{@code latencyBudget}: a probe thread of its own measures the server's response
 * time on a connection of its own ({@code PING} every {@code probeInterval}, never
 * through the work's pipelines), against the response time measured before the work
 * began. While the latency the work adds stays within the budget the work speeds up; when
 * it crosses it, the work slows down: first one round trip in flight at a time, then
 * fewer keys a round trip (a round trip blocks the server for as long as its commands
 * take, and another client waits that long), then a rate limit that halves until the
 * server has room again. It speeds up again in the opposite order. The probe's response
 * times are the job's figures.</li>
 * </ul>
 * The time work waited is told to the {@link PaceMeter}, with the pace the server is
 * worked at. Thread-safe.
 */
final class RedisPace implements AutoCloseable {

	private static final Log logger = LogFactory.getLog(RedisPace.class);

	/** The fewest keys a round trip carries when the budget is tight. */
	static final int MIN_BATCH = 16;

	/** The keys a round trip carries when a budget starts: a gentle start. */
	static final int START_BATCH = 64;

	/** The slowest the budget makes the work go, in keys a second. */
	static final double MIN_RATE = 50;

	/** Probes in one judgement of the added latency. */
	static final int WINDOW = 10;

	/** Probes before the work starts, for the response time of the server alone. */
	static final int BASELINE_PROBES = 10;

	private final String server;

	private final PaceSettings settings;

	private final PaceMeter meter;

	private final int maxBatch;

	private final int maxInFlight;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition slotFree = this.lock.newCondition();

	private int inFlight;

	/** Round trips allowed in flight at once, by the budget. */
	private volatile int permits;

	/** Keys a round trip may carry, by the budget. */
	private volatile int batch;

	/** Keys a second the budget allows; infinite when it allows any. */
	private volatile double budgetRate = Double.POSITIVE_INFINITY;

	/** When the rate limits let the next round trip go ({@link System#nanoTime}). */
	private long nextSlotNanos;

	/** Measures the server and judges the pace; {@code null} without a budget. */
	private final ProbeThread probe;

	/** How many round trips wait now (one element: a monitor too). */
	private final int[] waiting = new int[1];

	/** Since when at least one round trip waits. */
	private long waitingSince;

	/** Keys sent since the probe's last judgement. */
	private final LongAdder keysSent = new LongAdder();

	/**
	 * What one key of a round trip costs the server, in nanoseconds: the round trip's
	 * time less the server's response time alone, a moving average; 0 until measured.
	 */
	private volatile double nanosPerKey;

	private RedisPace(String server, PaceSettings settings, PaceMeter meter, int maxBatch, int maxInFlight,
			Duration probeInterval, Supplier<Jedis> probeConnection) {
		this.server = server;
		this.settings = settings;
		this.meter = meter;
		this.maxBatch = Math.max(1, maxBatch);
		this.maxInFlight = Math.max(1, maxInFlight);
		boolean budget = !settings.latencyBudget().isZero();
		this.permits = budget ? 1 : this.maxInFlight;
		this.batch = budget ? Math.min(this.maxBatch, START_BATCH) : this.maxBatch;
		this.nextSlotNanos = System.nanoTime();
		this.probe = budget ? new ProbeThread(probeConnection, probeInterval) : null;
		if (this.probe != null) {
			this.probe.measureBaseline();
			this.probe.start();
		}
		tell();
	}

	/**
	 * The pace of one server.
	 * @param server the server's address, masked, for progress lines
	 * @param maxBatch the most keys a round trip carries
	 * ({@code keeper.redis.pipeline-size})
	 * @param maxInFlight the most round trips in flight at once
	 * @param probeConnection opens the probe's own connection (when a budget is set)
	 */
	static RedisPace of(String server, PaceMeter meter, int maxBatch, int maxInFlight, Duration probeInterval,
			Supplier<Jedis> probeConnection) {
		return new RedisPace(server, meter.settings(), meter, maxBatch, maxInFlight, probeInterval, probeConnection);
	}

	/** No limits: every permit at once. */
	static RedisPace unlimited(int maxBatch, int maxInFlight) {
		return new RedisPace("", PaceSettings.UNLIMITED, PaceMeter.UNLIMITED, maxBatch, maxInFlight, Duration.ZERO,
				() -> null);
	}

	/**
	 * The keys a round trip may carry now: {@code configured} or fewer. With a budget,
	 * never more than the server serves within the budget: a request of the service that
	 * arrives behind a round trip waits for all of it.
	 */
	int batch(int configured) {
		return Math.max(1, Math.min(Math.min(configured, this.batch), budgetBatch()));
	}

	/**
	 * The most keys a round trip carries that the server serves within the budget (at
	 * least {@link #MIN_BATCH}); unbounded without a budget or before a round trip was
	 * measured.
	 */
	int budgetBatch() {
		double perKey = this.nanosPerKey;
		if (this.probe == null || perKey <= 0) {
			return Integer.MAX_VALUE;
		}
		return (int) Math.max(MIN_BATCH, Math.min(Integer.MAX_VALUE, this.probe.budgetNanos / perKey));
	}

	/**
	 * Waits until a round trip of {@code keys} keys may go: a slot among those in flight,
	 * and room in the rate. Close the permit when the round trip is over.
	 */
	Permit acquire(int keys) {
		if (!this.settings.limited()) {
			return Permit.NONE;
		}
		boolean waited = false;
		this.lock.lock();
		try {
			if (this.inFlight >= this.permits) {
				waited = beginWait();
				while (this.inFlight >= this.permits) {
					this.slotFree.awaitUninterruptibly();
				}
			}
			this.inFlight++;
		}
		finally {
			this.lock.unlock();
		}
		long goAt = reserve(keys);
		if (goAt - System.nanoTime() > 0) {
			waited = waited || beginWait();
			for (long wait = goAt - System.nanoTime(); wait > 0; wait = goAt - System.nanoTime()) {
				LockSupport.parkNanos(wait);
				if (Thread.currentThread().isInterrupted()) {
					break;
				}
			}
		}
		if (waited) {
			endWait();
		}
		this.keysSent.add(keys);
		if (this.probe == null || keys <= 0) {
			return this::release;
		}
		long sent = System.nanoTime();
		return () -> {
			measured(keys, System.nanoTime() - sent);
			release();
		};
	}

	/**
	 * Notes what a round trip of {@code keys} keys took: its time less the server's
	 * response time alone is about what the server spent on its keys.
	 */
	private void measured(int keys, long nanos) {
		double perKey = Math.max(0, nanos - this.probe.baselineNanos) / (double) keys;
		double previous = this.nanosPerKey;
		this.nanosPerKey = (previous <= 0) ? perKey : previous + (perKey - previous) / 8;
	}

	/**
	 * Notes that a round trip waits; the time during which at least one waits is the time
	 * the work was throttled.
	 */
	private boolean beginWait() {
		synchronized (this.waiting) {
			if (this.waiting[0]++ == 0) {
				this.waitingSince = System.nanoTime();
			}
		}
		return true;
	}

	private void endWait() {
		synchronized (this.waiting) {
			if (--this.waiting[0] == 0) {
				this.meter.throttled(System.nanoTime() - this.waitingSince);
			}
		}
	}

	private void release() {
		this.lock.lock();
		try {
			this.inFlight--;
			this.slotFree.signalAll();
		}
		finally {
			this.lock.unlock();
		}
	}

	/**
	 * Reserves room for {@code keys} more keys in the rate: the time at which the round
	 * trip may go, at the end of the time its keys take at that rate, so that no stretch
	 * of the work goes faster; now when the rate allows any.
	 */
	private long reserve(int keys) {
		double rate = rate();
		if (keys <= 0 || Double.isInfinite(rate)) {
			return System.nanoTime();
		}
		synchronized (this) {
			// an idle stretch gives no credit
			long goAt = Math.max(System.nanoTime(), this.nextSlotNanos) + (long) (keys * 1e9 / rate);
			this.nextSlotNanos = goAt;
			return goAt;
		}
	}

	/** The keys a second allowed now: the lower of the limit and the budget's rate. */
	double rate() {
		double limit = (this.settings.maxRate() > 0) ? this.settings.maxRate() : Double.POSITIVE_INFINITY;
		return Math.min(limit, this.budgetRate);
	}

	/** Round trips allowed in flight now. */
	int permits() {
		return this.permits;
	}

	/**
	 * The latency the work added that the probe last judged, in nanoseconds; 0 without a
	 * budget.
	 */
	long addedLatencyNanos() {
		return (this.probe != null) ? this.probe.lastExcess : 0;
	}

	/** Slows down one step: fewer round trips in flight, fewer keys each, then a rate. */
	void slowDown(double currentRate) {
		if (this.permits > 1) {
			this.permits = 1;
		}
		else if (Math.min(this.batch, budgetBatch()) > MIN_BATCH) {
			this.batch = Math.max(MIN_BATCH, Math.min(this.batch, budgetBatch()) / 2);
		}
		else {
			double from = Double.isInfinite(this.budgetRate) ? Math.max(MIN_RATE, currentRate) : this.budgetRate;
			this.budgetRate = Math.max(MIN_RATE, from / 2);
		}
		tell();
	}

	/** Speeds up one step, in the opposite order of {@link #slowDown}. */
	void speedUp(double currentRate) {
		if (!Double.isInfinite(this.budgetRate)) {
			double next = this.budgetRate * 1.25;
			// a rate the work does not reach limits nothing
			this.budgetRate = (next > 2 * Math.max(MIN_RATE, currentRate)) ? Double.POSITIVE_INFINITY : next;
		}
		else if (this.batch < Math.min(this.maxBatch, budgetBatch())) {
			this.batch = Math.min(Math.min(this.maxBatch, budgetBatch()), this.batch + Math.max(1, this.batch / 4));
		}
		else if (this.permits < this.maxInFlight) {
			this.permits++;
			this.lock.lock();
			try {
				this.slotFree.signalAll();
			}
			finally {
				this.lock.unlock();
			}
		}
		else {
			return;
		}
		tell();
	}

	private void tell() {
		if (!this.settings.limited()) {
			return;
		}
		double rate = this.budgetRate;
		this.meter.pace(this.server,
				String.format(Locale.ROOT, "%s %d keys a round trip, %d in flight%s", this.server,
						batch(Integer.MAX_VALUE), this.permits,
						Double.isInfinite(rate) ? "" : String.format(Locale.ROOT, ", ≤ %,.0f keys/s", rate)));
	}

	@Override
	public void close() {
		if (this.probe != null) {
			this.probe.interrupt();
			try {
				this.probe.join(TimeUnit.SECONDS.toMillis(2));
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
		}
		this.meter.closed();
	}

	/** A round trip's slot; closing it lets the next one go. */
	interface Permit extends AutoCloseable {

		/** The permit of an unlimited pace. */
		Permit NONE = () -> {
		};

		@Override
		void close();

	}

	/**
	 * Measures the server's response time on a connection of its own and judges, every
	 * {@link #WINDOW} probes, whether the work keeps within the budget.
	 */
	private final class ProbeThread extends Thread {

		private final Supplier<Jedis> connection;

		private final long intervalNanos;

		private final long budgetNanos;

		private final long[] window = new long[WINDOW];

		private Jedis jedis;

		/** The response time of the server alone. */
		private volatile long baselineNanos;

		volatile long lastExcess;

		private int filled;

		private long windowStarted = System.nanoTime();

		ProbeThread(Supplier<Jedis> connection, Duration interval) {
			super("redis-pace-probe");
			setDaemon(true);
			this.connection = connection;
			this.intervalNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), interval.toNanos());
			this.budgetNanos = RedisPace.this.settings.latencyBudget().toNanos();
		}

		/**
		 * The server's response time before the work begins: the median of a few probes.
		 */
		void measureBaseline() {
			long[] samples = new long[BASELINE_PROBES];
			int taken = 0;
			for (int i = 0; i < BASELINE_PROBES + 2; i++) {
				long latency = ping();
				// the first two warm the connection up
				if (latency >= 0 && i >= 2) {
					samples[taken++] = latency;
					RedisPace.this.meter.probed(latency);
				}
			}
			if (taken > 0) {
				long[] measured = Arrays.copyOf(samples, taken);
				Arrays.sort(measured);
				this.baselineNanos = measured[taken / 2];
			}
		}

		@Override
		public void run() {
			CoreShare.freeCurrentThread();
			long due = System.nanoTime();
			try {
				while (!isInterrupted()) {
					due += this.intervalNanos;
					long now = System.nanoTime();
					if (due > now) {
						LockSupport.parkNanos(due - now);
						if (isInterrupted()) {
							return;
						}
					}
					else {
						due = now;
					}
					long latency = ping();
					if (latency >= 0) {
						RedisPace.this.meter.probed(latency);
						this.window[this.filled++] = latency;
						if (this.filled == WINDOW) {
							judge();
							this.filled = 0;
						}
					}
				}
			}
			finally {
				disconnect();
			}
		}

		/**
		 * The work's added latency over the last window — its second-worst probe less the
		 * baseline: the service's tail is what the budget keeps, and one probe in ten
		 * late is as likely the worker's own pause (a collection, a thread not scheduled)
		 * as the server's — against the budget.
		 */
		private void judge() {
			long[] sorted = this.window.clone();
			Arrays.sort(sorted);
			long excess = sorted[WINDOW - 2] - this.baselineNanos;
			this.lastExcess = excess;
			long now = System.nanoTime();
			double seconds = Math.max(1e-3, (now - this.windowStarted) / 1e9);
			double currentRate = RedisPace.this.keysSent.sumThenReset() / seconds;
			this.windowStarted = now;
			if (excess > this.budgetNanos) {
				slowDown(currentRate);
			}
			else if (excess < this.budgetNanos / 2) {
				speedUp(currentRate);
			}
			// a quiet server now is the server alone
			this.baselineNanos = Math.min(this.baselineNanos, sorted[WINDOW / 2]);
		}

		/** One PING's response time in nanoseconds; -1 when it failed. */
		private long ping() {
			try {
				if (this.jedis == null) {
					this.jedis = this.connection.get();
					if (this.jedis == null) {
						return -1;
					}
				}
				long started = System.nanoTime();
				this.jedis.ping();
				return System.nanoTime() - started;
			}
			catch (RuntimeException ex) {
				// the work's own commands meet the trouble and retry; the probe only
				// reconnects at its next turn
				logger.debug("Pace probe of " + RedisPace.this.server + " failed: " + ex.getMessage());
				disconnect();
				return -1;
			}
		}

		private void disconnect() {
			if (this.jedis != null) {
				try {
					this.jedis.close();
				}
				catch (RuntimeException ex) {
					// closing a broken connection
				}
				this.jedis = null;
			}
		}

	}

}
