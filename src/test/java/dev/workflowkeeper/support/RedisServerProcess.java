package dev.workflowkeeper.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} process for tests, on a free port with its own working
 * directory, so that a test can kill it, restart it from its AOF, or run several. Redis 7
 * is the binary on the PATH; Redis 6.2 (and Redis 7 where none is installed) is the
 * binary shipped inside {@code com.github.codemonstur:embedded-redis}. A test that only
 * needs a clean database takes one of the shared servers of the
 * {@link RedisServerExtension} instead.
 */
public final class RedisServerProcess implements AutoCloseable {

	/** Which server binary to run. */
	public enum Version {

		/** The {@code redis-server} on the PATH (7.x here), else the shipped 6.2. */
		DEFAULT,

		/**
		 * The 6.2 binary shipped inside embedded-redis (it reports 6.2.11), for the
		 * version fallbacks.
		 */
		V6_2

	}

	private static final String SHIPPED_6_2 = "/redis-server-6.2.6-v5-linux-amd64";

	private final Path binary;

	private final Path dir;

	private final int port;

	private final List<String> extraArgs;

	private Process process;

	private RedisServerProcess(Path binary, Path dir, int port, List<String> extraArgs) {
		this.binary = binary;
		this.dir = dir;
		this.port = port;
		this.extraArgs = extraArgs;
	}

	/** Starts a server without persistence. */
	public static RedisServerProcess start(Version version, String... extraArgs) {
		RedisServerProcess server = new RedisServerProcess(binary(version), tempDir(), freePort(), List.of(extraArgs));
		server.launch();
		return server;
	}

	/**
	 * Starts a server without persistence on {@code port} (a Cluster node needs its bus
	 * port, {@code port + 10000}, free too).
	 */
	public static RedisServerProcess startOnPort(Version version, int port, String... extraArgs) {
		RedisServerProcess server = new RedisServerProcess(binary(version), tempDir(), port, List.of(extraArgs));
		server.launch();
		return server;
	}

	/**
	 * Starts a server that logs every write to an append-only file, so it survives a
	 * kill.
	 */
	public static RedisServerProcess startWithAof(Version version, String... extraArgs) {
		List<String> args = new ArrayList<>(List.of("--appendonly", "yes", "--appendfsync", "always"));
		args.addAll(List.of(extraArgs));
		RedisServerProcess server = new RedisServerProcess(binary(version), tempDir(), freePort(), args);
		server.launch();
		return server;
	}

	public int port() {
		return this.port;
	}

	public String uri() {
		return "redis://127.0.0.1:" + this.port + "/0";
	}

	public String uri(int db) {
		return "redis://127.0.0.1:" + this.port + "/" + db;
	}

	public Path dir() {
		return this.dir;
	}

	public boolean isRunning() {
		return this.process != null && this.process.isAlive();
	}

	/** Kills the server at once (SIGKILL), as a crash would. */
	public void kill() {
		if (this.process != null) {
			this.process.destroyForcibly();
			waitFor(this.process);
			this.process = null;
		}
	}

	/**
	 * Starts the server again on the same port and directory; with AOF it comes back with
	 * its data.
	 */
	public void restart() {
		kill();
		launch();
	}

	/**
	 * Starts the server again on the same port and directory, and returns as soon as it
	 * answers, maybe still loading its data: meanwhile it answers {@code LOADING} to most
	 * commands (start it with {@code --key-load-delay} to make that last).
	 */
	public void restartLoading() {
		kill();
		launch(true);
	}

	@Override
	public void close() {
		kill();
	}

	private void launch() {
		launch(false);
	}

	private void launch(boolean loadingIsUp) {
		List<String> command = new ArrayList<>(List.of(this.binary.toString(), "--port", Integer.toString(this.port),
				"--bind", "127.0.0.1", "--dir", this.dir.toString(), "--save", "", "--daemonize", "no", "--logfile",
				this.dir.resolve("redis.log").toString()));
		if (!this.extraArgs.contains("--appendonly")) {
			command.addAll(List.of("--appendonly", "no"));
		}
		command.addAll(this.extraArgs);
		try {
			this.process = new ProcessBuilder(command).redirectErrorStream(true)
				.redirectOutput(this.dir.resolve("stdout.log").toFile())
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot start " + this.binary, ex);
		}
		try {
			awaitPing(Duration.ofSeconds(20), loadingIsUp);
		}
		catch (RuntimeException ex) {
			kill();
			throw ex;
		}
	}

	private void awaitPing(Duration timeout, boolean loadingIsUp) {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("redis-server exited at start: " + readLog());
			}
			try (Socket socket = new Socket("127.0.0.1", this.port)) {
				socket.setSoTimeout(1000);
				socket.getOutputStream().write("PING\r\n".getBytes());
				byte[] reply = new byte[64];
				int n = socket.getInputStream().read(reply);
				// A server with requirepass answers NOAUTH: it is up all the same.
				String answer = (n > 0) ? new String(reply, 0, n) : "";
				if (answer.startsWith("+PONG") || answer.startsWith("-NOAUTH")
						|| (loadingIsUp && answer.startsWith("-LOADING"))) {
					return;
				}
			}
			catch (IOException ex) {
				// not accepting yet, or still loading its AOF
			}
			sleep(20);
		}
		throw new IllegalStateException("redis-server on port " + this.port + " did not answer PING: " + readLog());
	}

	private String readLog() {
		try {
			Path log = this.dir.resolve("redis.log");
			return Files.exists(log) ? Files.readString(log) : "(no log)";
		}
		catch (IOException ex) {
			return "(log unreadable)";
		}
	}

	static Path binary(Version version) {
		if (version == Version.DEFAULT) {
			for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
				Path candidate = Path.of(dir, "redis-server");
				if (!dir.isEmpty() && Files.isExecutable(candidate)) {
					return candidate;
				}
			}
		}
		return shipped();
	}

	private static synchronized Path shipped() {
		Path target = Path.of(System.getProperty("java.io.tmpdir"), "workflow-keeper-redis-server-6.2.6");
		if (Files.isExecutable(target)) {
			return target;
		}
		try (InputStream in = RedisServerProcess.class.getResourceAsStream(SHIPPED_6_2)) {
			if (in == null) {
				throw new IllegalStateException("embedded-redis does not ship " + SHIPPED_6_2);
			}
			Path tmp = Files.createTempFile("redis-server", ".part");
			Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
			Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
			Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
			return target;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static Path tempDir() {
		try {
			return Files.createTempDirectory("redis-test");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** A port that nothing listens on right now. */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			socket.setReuseAddress(true);
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void waitFor(Process process) {
		try {
			process.waitFor(10, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
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

}
