package dev.workflowkeeper.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.workflowkeeper.store.RejectedRecordException;
import org.junit.jupiter.api.Test;

import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.batch.infrastructure.item.ItemStreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PrefetchingItemReaderTests {

	@Test
	void shouldReturnItemsAndRethrowRejectsInTheirPlace() throws Exception {
		// given items 1..10 of which 4 and 7 are rejected
		CountingReader source = new CountingReader(10, 4, 7);
		PrefetchingItemReader<Integer> reader = prefetching(source, 100, 1000);
		reader.open(new ExecutionContext());

		// when
		List<Object> seen = new ArrayList<>();
		while (true) {
			try {
				Integer item = reader.read();
				if (item == null) {
					break;
				}
				seen.add(item);
			}
			catch (RejectedRecordException ex) {
				seen.add(ex.position());
			}
		}
		reader.close();

		// then
		assertThat(seen).containsExactly(1, 2, 3, "item 4", 5, 6, "item 7", 8, 9, 10);
		assertThat(reader.read()).isNull();
		assertThat(source.closed).isTrue();
	}

	@Test
	void shouldSaveThePositionOfTheLastItemReturnedNotOfTheLastPrefetched() throws Exception {
		// given a reader that has returned 3 items while its thread read the whole source
		// ahead
		CountingReader source = new CountingReader(50);
		PrefetchingItemReader<Integer> reader = prefetching(source, 100, 1000);
		reader.open(new ExecutionContext());
		reader.read();
		reader.read();
		reader.read();
		for (int i = 0; i < 500 && source.reads.get() < 51; i++) {
			Thread.sleep(10);
		}
		assertThat(source.reads.get()).isEqualTo(51);

		// when
		ExecutionContext saved = new ExecutionContext();
		reader.update(saved);
		reader.close();

		// then the position is the 3rd item's, and a restart goes on with the 4th
		assertThat(saved.getInt("source.count")).isEqualTo(3);
		PrefetchingItemReader<Integer> restarted = prefetching(new CountingReader(50), 100, 1000);
		restarted.open(saved);
		assertThat(restarted.read()).isEqualTo(4);
		restarted.close();
	}

	@Test
	void shouldCountARejectedItemInThePositionOnceItIsThrown() throws Exception {
		// given
		PrefetchingItemReader<Integer> reader = prefetching(new CountingReader(5, 2), 100, 1000);
		ExecutionContext context = new ExecutionContext();
		reader.open(context);

		// when
		reader.read();
		assertThatExceptionOfType(RejectedRecordException.class).isThrownBy(reader::read);
		reader.update(context);
		reader.close();

		// then
		assertThat(context.getInt("source.count")).isEqualTo(2);
	}

	@Test
	void shouldRemoveAKeyTheDelegateNoLongerWrites() throws Exception {
		// given a delegate that writes "source.odd" only after odd items
		PrefetchingItemReader<Integer> reader = prefetching(new CountingReader(5), 100, 1000);
		ExecutionContext context = new ExecutionContext();
		reader.open(context);

		// when / then
		reader.read();
		reader.update(context);
		assertThat(context.containsKey("source.odd")).isTrue();
		reader.read();
		reader.update(context);
		assertThat(context.containsKey("source.odd")).isFalse();
		reader.close();
	}

	@Test
	void shouldReadAheadNoMoreThanItsBoundsAllow() throws Exception {
		// given items of 100 bytes, at most 20 items or 500 bytes ahead
		CountingReader source = new CountingReader(1000);
		PrefetchingItemReader<Integer> reader = new PrefetchingItemReader<>(source, 20, 500, (item) -> 100,
				"test-read-ahead");

		// when
		reader.open(new ExecutionContext());
		reader.read();
		Thread.sleep(200);

		// then 5 items wait, and a sixth is in the thread's hands
		assertThat(source.reads.get()).isLessThanOrEqualTo(1 + 5 + 1);
		reader.close();
	}

	@Test
	void shouldStopItsThreadAndCloseTheDelegateOnClose() throws Exception {
		// given a source that never ends
		CountingReader source = new CountingReader(Integer.MAX_VALUE);
		PrefetchingItemReader<Integer> reader = prefetching(source, 10, 1000);
		reader.open(new ExecutionContext());
		reader.read();

		// when
		reader.close();

		// then
		assertThat(source.closed).isTrue();
		assertThat(Thread.getAllStackTraces().keySet())
			.noneMatch((thread) -> thread.getName().equals("test-read-ahead"));
		int reads = source.reads.get();
		Thread.sleep(50);
		assertThat(source.reads.get()).isEqualTo(reads);
	}

	private static PrefetchingItemReader<Integer> prefetching(CountingReader source, int maxItems, long maxBytes) {
		return new PrefetchingItemReader<>(source, maxItems, maxBytes, (item) -> 1, "test-read-ahead");
	}

	/**
	 * Items 1..n; the listed ones are rejected. Keeps how many it consumed; not
	 * thread-safe.
	 */
	private static final class CountingReader extends ItemStreamSupport implements ItemStreamReader<Integer> {

		private final int size;

		private final List<Integer> rejected;

		private final AtomicInteger reads = new AtomicInteger();

		private int count;

		private volatile boolean closed;

		CountingReader(int size, Integer... rejected) {
			this.size = size;
			this.rejected = List.of(rejected);
			setName("source");
		}

		@Override
		public void open(ExecutionContext context) {
			this.count = context.getInt(getExecutionContextKey("count"), 0);
		}

		@Override
		public Integer read() {
			this.reads.incrementAndGet();
			if (this.count >= this.size) {
				return null;
			}
			int item = ++this.count;
			if (this.rejected.contains(item)) {
				throw new RejectedRecordException("item " + item, null, "rejected for the test");
			}
			return item;
		}

		@Override
		public void update(ExecutionContext context) {
			context.putInt(getExecutionContextKey("count"), this.count);
			if (this.count % 2 == 1) {
				context.putInt(getExecutionContextKey("odd"), 1);
			}
			else {
				context.remove(getExecutionContextKey("odd"));
			}
		}

		@Override
		public void close() {
			this.closed = true;
		}

	}

}
