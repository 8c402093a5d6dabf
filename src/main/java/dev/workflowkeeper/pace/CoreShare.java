package dev.workflowkeeper.pace;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Locale;
import java.util.stream.Stream;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * Keeps the worker's threads off the cores it leaves to the Redis and the service on the
 * same host ({@code keeper.redis.pace.spare-cores}): Redis serves every client from one
 * thread, and each millisecond that thread waits for a core busy with the worker's
 * threads (its pipelines' parsing, its garbage collector, its compiler) is a millisecond
 * every client of the service waits. It applies from the start of {@code main}, so that
 * starting the application does not take the spare cores either (measured: a start on
 * every core raised the probe's p99 over the whole command about 2.5 times), and lifts
 * while a job runs with its limits off ({@code --latency-budget 0 --max-rate 0}), which
 * may use every core. On Linux, with {@code sched_setaffinity} on every thread of the
 * process (threads started later inherit it); elsewhere, or when the process may use no
 * more cores than it would spare, it does nothing. Thread-safe.
 */
public final class CoreShare {

	private static final Log logger = LogFactory.getLog(CoreShare.class);

	/** Bytes of a CPU mask: 1,024 CPUs, as glibc's {@code cpu_set_t}. */
	private static final int MASK_BYTES = 128;

	private static final Path TASKS = Path.of("/proc/self/task");

	/** The setting, as the process reads it before its configuration is loaded. */
	private static final String PROPERTY = "keeper.redis.pace.spare-cores";

	/** The cores the process may use, as it started; {@code null} before it is read. */
	private static BitSet allowed;

	private static int spareCores;

	/** Jobs running with their limits off. */
	private static int unlimited;

	private CoreShare() {
	}

	/**
	 * At the start of the process: keeps off the spare cores its system property or
	 * environment variable ({@code KEEPER_REDIS_PACE_SPARE_CORES}) sets, one by default.
	 * The configuration, once loaded, may change it ({@link #configure}).
	 */
	public static void atStart() {
		String value = System.getProperty(PROPERTY, System.getenv("KEEPER_REDIS_PACE_SPARE_CORES"));
		int spare = 1;
		try {
			spare = (value != null) ? Integer.parseInt(value.trim()) : 1;
		}
		catch (NumberFormatException ex) {
			// the configuration refuses it with a clear message when it binds
		}
		configure(spare);
	}

	/** Keeps off {@code spare} cores from now on (0: none). */
	static synchronized void configure(int spare) {
		spareCores = Math.max(0, spare);
		apply();
	}

	/** A job with its limits off starts: the process may use every core meanwhile. */
	static synchronized void widen() {
		unlimited++;
		apply();
	}

	/** A job with its limits off ended. */
	static synchronized void unwiden() {
		unlimited = Math.max(0, unlimited - 1);
		apply();
	}

	/**
	 * Lets the calling thread use every core the process started with: a probe of the
	 * server's response time, which should wake where the service's own clients would,
	 * not queue behind the worker's busy threads.
	 */
	public static synchronized void freeCurrentThread() {
		LibC libc = LibC.INSTANCE;
		if (libc == null || allowed == null) {
			return;
		}
		byte[] mask = new byte[MASK_BYTES];
		byte[] bits = allowed.toByteArray();
		System.arraycopy(bits, 0, mask, 0, Math.min(bits.length, MASK_BYTES));
		libc.sched_setaffinity(0, MASK_BYTES, mask);
	}

	/** The cores this thread may use now, as the kernel tells; empty when unknown. */
	static BitSet current() {
		LibC libc = LibC.INSTANCE;
		byte[] mask = new byte[MASK_BYTES];
		return (libc != null && libc.sched_getaffinity(0, MASK_BYTES, mask) == 0) ? BitSet.valueOf(mask) : new BitSet();
	}

	/** Gives every thread the cores the state calls for. */
	private static void apply() {
		LibC libc = LibC.INSTANCE;
		if (libc == null) {
			return;
		}
		if (allowed == null) {
			BitSet started = current();
			if (started.isEmpty()) {
				return;
			}
			allowed = started;
		}
		BitSet cores = (BitSet) allowed.clone();
		if (unlimited == 0 && allowed.cardinality() > spareCores) {
			// the lowest-numbered cores are left to others
			for (int i = 0, cpu = cores.nextSetBit(0); i < spareCores; i++, cpu = cores.nextSetBit(cpu + 1)) {
				cores.clear(cpu);
			}
		}
		if (!cores.equals(current())) {
			setAll(libc, cores);
			logger.debug("The worker's threads keep to CPUs " + cores + " of " + allowed);
		}
	}

	private static void setAll(LibC libc, BitSet cores) {
		byte[] mask = new byte[MASK_BYTES];
		byte[] bits = cores.toByteArray();
		System.arraycopy(bits, 0, mask, 0, Math.min(bits.length, MASK_BYTES));
		try (Stream<Path> tasks = Files.list(TASKS)) {
			for (Path task : (Iterable<Path>) tasks::iterator) {
				try {
					// a thread that ended meanwhile refuses: no matter
					libc.sched_setaffinity(Integer.parseInt(task.getFileName().toString()), MASK_BYTES, mask);
				}
				catch (NumberFormatException ex) {
					// not a thread
				}
			}
		}
		catch (IOException ex) {
			logger.debug("No thread list of the process: " + ex.getMessage());
		}
	}

	/** The C library's affinity calls, when this is Linux and JNA can reach them. */
	interface LibC extends Library {

		/** The library; {@code null} when not on Linux or out of JNA's reach. */
		LibC INSTANCE = load();

		int sched_getaffinity(int pid, long size, byte[] mask);

		int sched_setaffinity(int pid, long size, byte[] mask);

		private static LibC load() {
			if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")
					|| !Files.isDirectory(TASKS)) {
				return null;
			}
			try {
				return Native.load("c", LibC.class);
			}
			catch (UnsatisfiedLinkError | RuntimeException ex) {
				LogFactory.getLog(CoreShare.class).debug("No CPU affinity: " + ex.getMessage());
				return null;
			}
		}

	}

}
