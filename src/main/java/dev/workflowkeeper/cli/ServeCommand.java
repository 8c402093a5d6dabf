package dev.workflowkeeper.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.workflowkeeper.WorkflowKeeperApplication;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ApplicationListener;
import org.springframework.context.event.ContextClosedEvent;

import picocli.CommandLine.Command;

/** {@code serve}: runs the worker until it is stopped (the default command). */
@Command(name = "serve", mixinStandardHelpOptions = true,
		description = "Run the worker: scheduled maintenance jobs, actuator endpoints and the dashboard.")
class ServeCommand implements Callable<Integer> {

	@Override
	public Integer call() throws InterruptedException {
		CountDownLatch closed = new CountDownLatch(1);
		new SpringApplicationBuilder(WorkflowKeeperApplication.class)
			.listeners((ApplicationListener<ContextClosedEvent>) (event) -> closed.countDown())
			.run();
		// The caller exits the JVM when this returns: wait until the context is closed (SIGTERM).
		closed.await();
		return KeeperCommandLine.OK;
	}

}
