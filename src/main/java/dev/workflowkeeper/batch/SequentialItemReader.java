package dev.workflowkeeper.batch;

import java.util.List;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;

/**
 * Reads a store's node readers one after the other (one per Redis node; a single one
 * elsewhere). Each delegate keeps its own position under its own name; this reader keeps
 * which one is current. Not thread-safe; restartable.
 */
public class SequentialItemReader<T> extends ItemStreamSupport implements ItemStreamReader<T> {

	private final List<ItemStreamReader<T>> delegates;

	private int current;

	public SequentialItemReader(String name, List<ItemStreamReader<T>> delegates) {
		this.delegates = delegates;
		setName(name);
	}

	@Override
	public void open(ExecutionContext executionContext) {
		this.current = executionContext.getInt(getExecutionContextKey("current"), 0);
		for (ItemStreamReader<T> delegate : this.delegates) {
			delegate.open(executionContext);
		}
	}

	@Override
	public T read() throws Exception {
		while (this.current < this.delegates.size()) {
			T entry = this.delegates.get(this.current).read();
			if (entry != null) {
				return entry;
			}
			this.current++;
		}
		return null;
	}

	@Override
	public void update(ExecutionContext executionContext) {
		executionContext.putInt(getExecutionContextKey("current"), this.current);
		for (ItemStreamReader<T> delegate : this.delegates) {
			delegate.update(executionContext);
		}
	}

	@Override
	public void close() {
		for (ItemStreamReader<T> delegate : this.delegates) {
			delegate.close();
		}
	}

}
