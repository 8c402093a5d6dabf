package dev.workflowkeeper.cli;

import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.boot.logging.logback.ExtendedWhitespaceThrowableProxyConverter;

/**
 * How a log line shows its exception: a one-off command (without {@code --debug}) shows
 * one line — the innermost cause's type and the first line of its message, addresses
 * masked — since the command ends with its own {@code error:} line; {@code --debug} and
 * the worker show the whole stack trace. Which one is the logging context's
 * {@value #STACK_TRACES} property, set from the command line before logging starts.
 */
public class CommandLineThrowableConverter extends ExtendedWhitespaceThrowableProxyConverter {

	/** The logging context's property that asks for whole stack traces. */
	public static final String STACK_TRACES = "keeperStackTraces";

	private boolean stackTraces = true;

	@Override
	public void start() {
		String value = (getContext() != null) ? getContext().getProperty(STACK_TRACES) : null;
		this.stackTraces = !"false".equalsIgnoreCase(value);
		super.start();
	}

	@Override
	protected String throwableProxyToString(IThrowableProxy proxy) {
		if (this.stackTraces) {
			return super.throwableProxyToString(proxy);
		}
		IThrowableProxy innermost = proxy;
		while (innermost.getCause() != null && innermost.getCause() != innermost) {
			innermost = innermost.getCause();
		}
		String message = innermost.getMessage();
		String line = (message != null) ? message.lines().findFirst().orElse("") : "";
		String type = innermost.getClassName().substring(innermost.getClassName().lastIndexOf('.') + 1);
		return "  " + type + (line.isEmpty() ? "" : ": " + StoreUri.mask(line)) + " (--debug shows the stack trace)"
				+ System.lineSeparator();
	}

}
