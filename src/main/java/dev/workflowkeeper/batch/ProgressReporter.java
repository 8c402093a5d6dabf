package dev.workflowkeeper.batch;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Supplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.ItemReadListener;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;

/**
 * Shows a step's progress: on a terminal a progress bar on stderr (done / estimated
 * total, items/s, ETA), redrawn a few times a second; otherwise a log line every few
 * seconds. Counts every item the reader produced or rejected, including those of earlier
 * attempts when a step is restarted.
 */
public class ProgressReporter implements ItemReadListener<Object>, StepExecutionListener {

	private static final Log logger = LogFactory.getLog(ProgressReporter.class);

	private final String label;

	private final long estimatedTotal;

	private final boolean terminal;

	private final long intervalNanos;

	private final PrintStream out;

	private long done;

	private long startDone;

	private long startNanos;

	private long lastNanos;

	private Supplier<String> status = () -> "";

	public ProgressReporter(String label, long estimatedTotal) {
		this(label, estimatedTotal, System.console() != null, System.err);
	}

	ProgressReporter(String label, long estimatedTotal, boolean terminal, PrintStream out) {
		this.label = label;
		this.estimatedTotal = estimatedTotal;
		this.terminal = terminal;
		this.intervalNanos = terminal ? Duration.ofMillis(250).toNanos() : Duration.ofSeconds(5).toNanos();
		this.out = out;
	}

	/**
	 * Adds {@code status} to every line: how the step is paced, when limits apply.
	 */
	public ProgressReporter showing(Supplier<String> status) {
		this.status = status;
		return this;
	}

	@Override
	public void beforeStep(StepExecution stepExecution) {
		this.done = stepExecution.getReadCount() + stepExecution.getReadSkipCount();
		this.startDone = this.done;
		this.startNanos = System.nanoTime();
		this.lastNanos = this.startNanos;
	}

	@Override
	public void afterRead(Object item) {
		tick();
	}

	@Override
	public void onReadError(Exception ex) {
		tick();
	}

	private void tick() {
		this.done++;
		if ((this.done & 255) == 0) {
			long now = System.nanoTime();
			if (now - this.lastNanos >= this.intervalNanos) {
				this.lastNanos = now;
				show(now, false);
			}
		}
	}

	@Override
	public ExitStatus afterStep(StepExecution stepExecution) {
		show(System.nanoTime(), true);
		return null;
	}

	private void show(long now, boolean last) {
		double seconds = Math.max((now - this.startNanos) / 1e9, 1e-3);
		double rate = (this.done - this.startDone) / seconds;
		String line;
		if (this.estimatedTotal > 0) {
			long total = Math.max(this.estimatedTotal, this.done);
			double share = (double) this.done / total;
			long eta = (rate > 0) ? (long) ((total - this.done) / rate) : -1;
			line = String.format(Locale.ROOT, "%s %s %,d/~%,d %5.1f%% %,.0f/s ETA %s", this.label, bar(share),
					this.done, total, share * 100, rate, last ? "0s" : formatEta(eta));
		}
		else {
			line = String.format(Locale.ROOT, "%s %,d %,.0f/s", this.label, this.done, rate);
		}
		String status = this.status.get();
		if (!status.isEmpty()) {
			line += " · " + status;
		}
		if (this.terminal) {
			this.out.print("\r" + line + (last ? "\n" : ""));
			this.out.flush();
		}
		else {
			logger.info(line);
		}
	}

	private static String bar(double share) {
		int width = 24;
		int filled = (int) Math.round(Math.min(1, share) * width);
		return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
	}

	private static String formatEta(long seconds) {
		if (seconds < 0) {
			return "?";
		}
		return (seconds >= 3600) ? String.format("%dh%02dm", seconds / 3600, (seconds % 3600) / 60)
				: (seconds >= 60) ? String.format("%dm%02ds", seconds / 60, seconds % 60) : seconds + "s";
	}

}
