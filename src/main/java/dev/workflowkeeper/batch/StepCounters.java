package dev.workflowkeeper.batch;

import java.util.Map;
import java.util.TreeMap;

import org.springframework.batch.core.ExitStatus;
import org.springframework.batch.core.listener.StepExecutionListener;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;

/**
 * Named counts of a step that survive a restart: kept in the step's ExecutionContext at
 * every chunk commit, and copied into the job's ExecutionContext under
 * {@code <name>.<count>} when the step ends, where the command line, the history and the
 * actuator read them. Register it as a stream and as a listener of its step. Not
 * thread-safe.
 */
public class StepCounters extends ItemStreamSupport implements StepExecutionListener {

	private final String name;

	private final Map<String, Long> counts = new TreeMap<>();

	public StepCounters(String name, String... names) {
		this.name = name;
		setName(name);
		for (String count : names) {
			this.counts.put(count, 0L);
		}
	}

	public void add(String count, long delta) {
		this.counts.merge(count, delta, Long::sum);
	}

	public void increment(String count) {
		add(count, 1);
	}

	public long get(String count) {
		return this.counts.getOrDefault(count, 0L);
	}

	@Override
	public void open(ExecutionContext executionContext) {
		for (String count : this.counts.keySet()) {
			this.counts.put(count, executionContext.getLong(getExecutionContextKey(count), 0));
		}
	}

	@Override
	public void update(ExecutionContext executionContext) {
		this.counts.forEach((count, value) -> executionContext.putLong(getExecutionContextKey(count), value));
	}

	@Override
	public ExitStatus afterStep(StepExecution stepExecution) {
		ExecutionContext job = stepExecution.getJobExecution().getExecutionContext();
		this.counts.forEach((count, value) -> job.putLong(this.name + "." + count, value));
		return null;
	}

}
