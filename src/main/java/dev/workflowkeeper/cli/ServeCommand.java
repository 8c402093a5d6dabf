package dev.workflowkeeper.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import dev.workflowkeeper.store.StoreInUseException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStores;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.context.ApplicationListener;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.ContextClosedEvent;

import picocli.CommandLine.Command;

/** {@code serve}: runs the worker until it is stopped (the default command). */
@Command(name = "serve", mixinStandardHelpOptions = true, description = {
		"Run the worker: scheduled maintenance jobs, actuator endpoints and the dashboard.",
		"It listens on port 8080 (KEEPER_PORT) until it is stopped; it is what runs when no command is given." })
class ServeCommand implements Callable<Integer> {

	private static final Log logger = LogFactory.getLog(ServeCommand.class);

	private final Boot boot;

	ServeCommand(Boot boot) {
		this.boot = boot;
	}

	@Override
	public Integer call() throws InterruptedException {
		CountDownLatch closed = new CountDownLatch(1);
		ConfigurableApplicationContext context = this.boot
			.worker((ApplicationListener<ContextClosedEvent>) (event) -> closed.countDown());
		claimMemoryStore(context);
		String port = context.getEnvironment().getProperty("local.server.port", "none");
		logger.info("workflow-keeper is serving (port " + port + ", default store "
				+ context.getBean(WorkflowStores.class).defaultStore().masked() + ")");
		// The caller exits the JVM when this returns: wait until the context is closed
		// (SIGTERM), to its end, since exiting runs H2's shutdown hook, which would close
		// the history under the beans that still use it.
		closed.await();
		while (context.isActive()) {
			Thread.sleep(20);
		}
		return KeeperCommandLine.OK;
	}

	/**
	 * A worker whose default store is {@code memory:} owns it from the start: one-off
	 * commands on it are refused while it serves (they launch over HTTP instead), and one
	 * that holds it now keeps the worker from starting.
	 */
	private static void claimMemoryStore(ConfigurableApplicationContext context) {
		WorkflowStores stores = context.getBean(WorkflowStores.class);
		if (stores.defaultStore().kind() != StoreUri.Kind.MEMORY) {
			return;
		}
		try {
			stores.open(stores.defaultStore()).close();
		}
		catch (StoreInUseException ex) {
			context.close();
			throw new UserFacingException(KeeperCommandLine.USAGE, ex.getMessage(), ex);
		}
	}

}
