package dev.workflowkeeper.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

import picocli.CommandLine.Command;

/** {@code serve}: runs the worker until it is stopped (the default command). */
@Command(name = "serve", mixinStandardHelpOptions = true,
		description = "Run the worker: scheduled maintenance jobs, actuator endpoints and the dashboard.")
class ServeCommand implements Callable<Integer> {

	private final Boot boot;

	ServeCommand(Boot boot) {
		this.boot = boot;
	}

	@Override
	public Integer call() throws InterruptedException {
		CountDownLatch closed = new CountDownLatch(1);
		this.boot.worker((ApplicationListener<ContextClosedEvent>) (event) -> closed.countDown());
		// The caller exits the JVM when this returns: wait until the context is closed (SIGTERM).
		closed.await();
		return KeeperCommandLine.OK;
	}

}
