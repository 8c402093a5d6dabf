import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * The service's view of Redis while something else runs: one connection that GETs a 2.6 KB value
 * every few milliseconds, as the service does, and records how long each reply took. No
 * dependencies: the Redis protocol is written by hand over a plain socket (TCP_NODELAY), so the
 * probe measures Redis and the network, not a client library's pool.
 *
 * <p>
 * Usage: {@code java bench/Probe.java --port P [--host H] [--key K] [--interval-ms 2]
 * [--value-bytes 2600] [--warmup-seconds 1] [--seconds S] [--ready FILE] [--raw FILE] --out FILE}.
 * The key is
 * set once; then the probe warms up (its GETs are not counted: the JIT compiles the loop), creates
 * the {@code --ready} file if given, and measures until SIGTERM/SIGINT or {@code --seconds}. A
 * shutdown hook writes two lines to {@code --out}, each {@code count p50 p90 p99 p999 max} in
 * milliseconds: the first the latency counted from when each probe was due, the second from when it
 * was sent. {@code --raw} also writes every probe, one a line: when it was due (microseconds since
 * the epoch) and both latencies (microseconds), so that a part of the run can be looked at alone.
 *
 * <p>
 * Coordinated omission: probes are scheduled by absolute time ({@code start + i * interval}), so a
 * slow reply does not push later probes back; a probe sent late because the previous reply was
 * slow (or the probe's thread woke late) counts its latency from when it was due, not from when it
 * was sent, as the service's requests would have queued meanwhile. The first line is that figure,
 * the one to compare; the second, from the send, is the server's response time alone.
 */
public final class Probe {

	private static volatile boolean stopping;

	private static volatile int recorded;

	private static long[] fromDue = new long[1 << 16];

	private static long[] fromSend = new long[1 << 16];

	private static long startEpochMicros;

	private static long intervalMicros;

	public static void main(String[] args) throws Exception {
		String host = option(args, "--host", "127.0.0.1");
		int port = Integer.parseInt(option(args, "--port", "6379"));
		String key = option(args, "--key", "bench:probe");
		long intervalNanos = (long) (Double.parseDouble(option(args, "--interval-ms", "2")) * 1_000_000);
		int valueBytes = Integer.parseInt(option(args, "--value-bytes", "2600"));
		double warmupSeconds = Double.parseDouble(option(args, "--warmup-seconds", "1"));
		double seconds = Double.parseDouble(option(args, "--seconds", "0"));
		String ready = option(args, "--ready", null);
		String out = option(args, "--out", null);
		String raw = option(args, "--raw", null);
		if (out == null) {
			throw new IllegalArgumentException("--out FILE is required");
		}
		Thread main = Thread.currentThread();
		Runtime.getRuntime().addShutdownHook(new Thread(() -> {
			stopping = true;
			try {
				main.join(2000); // a reply still awaited after 2 s is left out
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
			}
			write(Path.of(out), raw);
		}));

		try (Socket socket = new Socket()) {
			socket.setTcpNoDelay(true);
			socket.connect(new InetSocketAddress(host, port), 5000);
			OutputStream output = new BufferedOutputStream(socket.getOutputStream(), 8192);
			InputStream input = new BufferedInputStream(socket.getInputStream(), 65536);
			byte[] value = new byte[valueBytes];
			Arrays.fill(value, (byte) 'x');
			output.write(command("SET", key, new String(value, StandardCharsets.US_ASCII)));
			output.flush();
			String reply = line(input);
			if (!reply.equals("+OK")) {
				throw new IOException("SET " + key + ": " + reply);
			}
			byte[] get = command("GET", key);
			byte[] buffer = new byte[valueBytes + 2];

			long warmupEnd = System.nanoTime() + (long) (warmupSeconds * 1e9);
			while (System.nanoTime() < warmupEnd && !stopping) {
				get(output, input, get, buffer);
				LockSupport.parkNanos(intervalNanos);
			}
			if (ready != null) {
				Files.writeString(Path.of(ready), "measuring\n");
			}

			long start = System.nanoTime();
			startEpochMicros = System.currentTimeMillis() * 1000 - (System.nanoTime() - start) / 1000;
			intervalMicros = intervalNanos / 1000;
			long end = seconds > 0 ? start + (long) (seconds * 1e9) : Long.MAX_VALUE;
			for (long i = 0; !stopping; i++) {
				long due = start + i * intervalNanos;
				if (due >= end) {
					break;
				}
				long wait;
				while ((wait = due - System.nanoTime()) > 0 && !stopping) {
					LockSupport.parkNanos(wait);
				}
				if (stopping) {
					break;
				}
				long sent = System.nanoTime();
				get(output, input, get, buffer);
				long received = System.nanoTime();
				record(received - due, received - sent);
			}
		}
	}

	private static void get(OutputStream output, InputStream input, byte[] get, byte[] buffer)
			throws IOException {
		output.write(get);
		output.flush();
		String header = line(input);
		if (header.charAt(0) != '$') {
			throw new IOException("GET: " + header);
		}
		int length = Integer.parseInt(header.substring(1));
		int want = length < 0 ? 0 : length + 2;
		byte[] into = want <= buffer.length ? buffer : new byte[want];
		for (int read = 0; read < want;) {
			int n = input.read(into, read, want - read);
			if (n < 0) {
				throw new IOException("connection closed");
			}
			read += n;
		}
	}

	private static void record(long dueNanos, long sendNanos) {
		int n = recorded;
		if (n == fromDue.length) {
			fromDue = Arrays.copyOf(fromDue, n * 2);
			fromSend = Arrays.copyOf(fromSend, n * 2);
		}
		fromDue[n] = dueNanos;
		fromSend[n] = sendNanos;
		recorded = n + 1; // published after the values: the hook reads up to here
	}

	private static void write(Path out, String raw) {
		int n = recorded;
		if (raw != null) {
			try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(Path.of(raw)))) {
				for (int i = 0; i < n; i++) { // probe i was due at start + i * interval
					writer.println((startEpochMicros + i * intervalMicros) + " " + fromDue[i] / 1000 + " "
							+ fromSend[i] / 1000);
				}
			}
			catch (IOException ex) {
				System.err.println("probe: cannot write " + raw + ": " + ex.getMessage());
			}
		}
		try (PrintWriter writer = new PrintWriter(Files.newBufferedWriter(out))) {
			writer.println(summary(Arrays.copyOf(fromDue, n)));
			writer.println(summary(Arrays.copyOf(fromSend, n)));
		}
		catch (IOException ex) {
			System.err.println("probe: cannot write " + out + ": " + ex.getMessage());
		}
	}

	/** {@code count p50 p90 p99 p999 max} in milliseconds, nearest-rank percentiles. */
	private static String summary(long[] nanos) {
		Arrays.sort(nanos);
		int n = nanos.length;
		if (n == 0) {
			return "0 - - - - -";
		}
		return n + " " + ms(nanos, n, 0.50) + " " + ms(nanos, n, 0.90) + " " + ms(nanos, n, 0.99) + " "
				+ ms(nanos, n, 0.999) + " " + String.format("%.3f", nanos[n - 1] / 1e6);
	}

	private static String ms(long[] sorted, int n, double quantile) {
		int rank = (int) Math.ceil(quantile * n);
		return String.format("%.3f", sorted[Math.max(0, rank - 1)] / 1e6);
	}

	private static byte[] command(String... parts) {
		StringBuilder resp = new StringBuilder("*").append(parts.length).append("\r\n");
		for (String part : parts) {
			resp.append('$').append(part.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(part)
				.append("\r\n");
		}
		return resp.toString().getBytes(StandardCharsets.UTF_8);
	}

	private static String line(InputStream input) throws IOException {
		StringBuilder line = new StringBuilder();
		for (int c; (c = input.read()) != '\r';) {
			if (c < 0) {
				throw new IOException("connection closed");
			}
			line.append((char) c);
		}
		input.read(); // '\n'
		return line.toString();
	}

	private static String option(String[] args, String name, String fallback) {
		for (int i = 0; i < args.length - 1; i++) {
			if (args[i].equals(name)) {
				return args[i + 1];
			}
		}
		return fallback;
	}

}
