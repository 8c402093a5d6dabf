package dev.workflowkeeper.support;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.workflowkeeper.cli.KeeperCommandLine;

/**
 * Runs workflow-keeper commands for tests against one data folder (history database,
 * rejects, memory store): in this JVM, or as a separate process that a test can kill. The
 * commands get the {@link WorkerSettings} of that folder and whatever a test adds.
 */
public final class KeeperCli {

	private final Path dataDir;

	private WorkerSettings settings;

	public KeeperCli(Path dataDir) {
		this.dataDir = dataDir;
		this.settings = WorkerSettings.in(dataDir);
	}

	public Path dataDir() {
		return this.dataDir;
	}

	/** The settings every later command gets. */
	public WorkerSettings settings() {
		return this.settings;
	}

	/** Adds a setting of the highest precedence to every later command. */
	public KeeperCli with(String key, Object value) {
		this.settings = this.settings.with(key, value);
		return this;
	}

	/** Adds settings of the highest precedence to every later command. */
	public KeeperCli with(WorkerSettings more) {
		this.settings = this.settings.with(more);
		return this;
	}

	/** Runs a command in this JVM. */
	public Result run(String... args) {
		StringWriter out = new StringWriter();
		StringWriter err = new StringWriter();
		int code = KeeperCommandLine.run(new PrintWriter(out, true), new PrintWriter(err, true), this.settings.asMap(),
				args);
		return new Result(code, out.toString(), err.toString());
	}

	/**
	 * Starts a command as a separate JVM, with stdout and stderr in files of the data
	 * folder.
	 */
	public Process start(String... args) {
		return start(List.of(), args);
	}

	/**
	 * Starts a command as a separate JVM with extra JVM options (system properties, heap
	 * size).
	 */
	public Process start(List<String> jvmOptions, String... args) {
		return start("process", jvmOptions, args);
	}

	/**
	 * Starts a command as a separate JVM with stdout and stderr in {@code name.out} and
	 * {@code name.err} of the data folder, so that several may run at once.
	 */
	public Process start(String name, List<String> jvmOptions, String... args) {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.add("-Xmx512m");
		command.addAll(jvmOptions);
		command.addAll(this.settings.asSystemProperties());
		command.add("-cp");
		command.add(System.getProperty("java.class.path"));
		command.add("dev.workflowkeeper.WorkflowKeeperApplication");
		command.addAll(List.of(args));
		try {
			Files.createDirectories(this.dataDir);
			return new ProcessBuilder(command).redirectOutput(this.dataDir.resolve(name + ".out").toFile())
				.redirectError(this.dataDir.resolve(name + ".err").toFile())
				.start();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Waits until {@code worker}, a {@code serve} started by {@link #start}, serves, and
	 * returns its port.
	 */
	public int awaitServing(Process worker) throws Exception {
		Path err = dataDir().resolve("process.err");
		Pattern serving = Pattern.compile("workflow-keeper is serving \\(port (\\d+)");
		long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
		while (System.nanoTime() < deadline) {
			if (!worker.isAlive()) {
				throw new IllegalStateException("the worker exited: " + Files.readString(err));
			}
			if (Files.exists(err)) {
				Matcher matcher = serving.matcher(Files.readString(err));
				if (matcher.find()) {
					return Integer.parseInt(matcher.group(1));
				}
			}
			Thread.sleep(100);
		}
		throw new IllegalStateException("the worker did not start: " + Files.readString(err));
	}

	/** Waits for a started command and returns its result. */
	public Result await(Process process, long seconds) throws Exception {
		return await("process", process, seconds);
	}

	/** Waits for a command started with {@code name} and returns its result. */
	public Result await(String name, Process process, long seconds) throws Exception {
		if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			throw new IllegalStateException("command did not end in " + seconds + " s");
		}
		return new Result(process.exitValue(), Files.readString(this.dataDir.resolve(name + ".out")),
				Files.readString(this.dataDir.resolve(name + ".err")));
	}

	/**
	 * What a command did.
	 *
	 * @param exitCode its exit code
	 * @param out what it printed on stdout
	 * @param err what it printed on stderr
	 */
	public record Result(int exitCode, String out, String err) {

		@Override
		public String toString() {
			return "exit " + this.exitCode + "\n--- stdout\n" + this.out + "\n--- stderr\n" + this.err;
		}

	}

}
