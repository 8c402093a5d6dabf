package dev.workflowkeeper.store.redis;

import java.time.Clock;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.MaintainableStore.KeyDetail;
import dev.workflowkeeper.store.MaintainableStore.KeyInfo;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.batch.infrastructure.item.ItemStreamReader;

/**
 * Key readers of one Redis server that report expiries on a clock of the test's choosing,
 * as on a worker whose clock is off the server's: for tests of the jobs that judge those
 * expiries, outside this package. Closing it closes the connections of every reader it
 * made.
 */
public final class RedisKeyReaders implements AutoCloseable {

	private final RedisNode node;

	private final KeeperProperties.Redis settings;

	private RedisKeyReaders(RedisNode node, KeeperProperties.Redis settings) {
		this.node = node;
		this.settings = settings;
	}

	/** Connects to the Redis at {@code uri} with the worker's {@code properties}. */
	public static RedisKeyReaders connect(String uri, KeeperProperties properties) {
		StoreUri address = StoreUri.parse(uri);
		KeeperProperties.Redis settings = properties.redis();
		return new RedisKeyReaders(RedisNode.connect(RedisEndpoint.of(address, settings), address.masked(), settings),
				settings);
	}

	/**
	 * A reader of the keys under {@code keyPrefix}, as the store's own, with its expiries
	 * on {@code clock}.
	 */
	public ItemStreamReader<KeyInfo> reader(String name, String keyPrefix, KeyDetail detail, Clock clock) {
		return new RedisKeyInfoItemReader(name, this.node, keyPrefix, this.settings.scanCount(),
				this.settings.pipelineSize(), this.settings.pipelinesInFlight(), detail, clock);
	}

	@Override
	public void close() {
		this.node.close();
	}

}
