package dev.workflowkeeper.store.redis;

import java.util.List;
import java.util.Optional;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.pace.PaceMeter;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.MaintainableStore;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.store.WorkflowStore;

import redis.clients.jedis.Jedis;

import org.springframework.batch.infrastructure.item.ItemStreamReader;
import org.springframework.util.Assert;

/**
 * The workflow states of a standalone Redis: keys {@code keyPrefix + threadId} holding
 * the state as a JSON string with a TTL. Connects when created, so that a wrong address
 * or password fails at once with one clear line ({@link StoreAccessException}), and reads
 * the server's version to choose its commands. Closing the store closes its connection
 * pool; readers and writers it handed out stop working.
 * <p>
 * Thread-safe: readers and writers each borrow pooled connections; each of them is used
 * by one thread.
 */
public class RedisWorkflowStore implements WorkflowStore {

	private final StoreUri uri;

	private final String keyPrefix;

	private final KeeperProperties.Redis settings;

	private final RedisNode node;

	/**
	 * Connects to the Redis at {@code uri} with the Redis settings alone
	 * ({@code keeper.redis.*}).
	 * @throws StoreAccessException when the server cannot be reached or refuses the
	 * credentials
	 */
	public RedisWorkflowStore(StoreUri uri, String keyPrefix, KeeperProperties.Redis settings) {
		this(uri, keyPrefix, settings, PaceMeter.UNLIMITED);
	}

	/**
	 * Connects to the Redis at {@code uri}, its work paced by the limits of {@code pace}
	 * (a job's {@code maxRate} and {@code latencyBudget}).
	 * @throws StoreAccessException when the server cannot be reached or refuses the
	 * credentials
	 */
	public RedisWorkflowStore(StoreUri uri, String keyPrefix, KeeperProperties.Redis settings, PaceMeter pace) {
		Assert.hasLength(keyPrefix, "keyPrefix must not be empty: the worker would read every key of the database");
		this.uri = uri;
		this.keyPrefix = keyPrefix;
		this.settings = settings;
		Assert.isTrue(this.settings.scanCount() > 0, "keeper.redis.scan-count must be positive");
		Assert.isTrue(this.settings.pipelineSize() > 0, "keeper.redis.pipeline-size must be positive");
		Assert.isTrue(this.settings.maxConnections() > 0, "keeper.redis.max-connections must be positive");
		Assert.isTrue(this.settings.retry().maxAttempts() > 0, "keeper.redis.retry.max-attempts must be positive");
		this.node = RedisNode.connect(RedisEndpoint.of(uri, this.settings), uri.masked(), this.settings, pace);
	}

	@Override
	public String describe() {
		return this.uri.masked();
	}

	@Override
	public boolean holdsExpiries() {
		return true;
	}

	/**
	 * One reader for the standalone server. The list leaves room for a Cluster, where
	 * each master would have its own reader, named after {@code name} and the node.
	 */
	@Override
	public List<ItemStreamReader<WorkflowEntry>> readers(String name) {
		return List.of(new RedisWorkflowItemReader(name, this.node, this.keyPrefix, this.settings.scanCount(),
				this.settings.pipelineSize(), this.settings.pipelinesInFlight()));
	}

	/**
	 * A writer resolving conflicts by {@code policy}.
	 * @throws StoreAccessException when the server is older than 6.2, which cannot set a
	 * value with an absolute expiry
	 */
	@Override
	public WorkflowItemWriter writer(String name, ConflictPolicy policy) {
		RedisServerVersion version = this.node.version();
		if (!version.hasSetPxat()) {
			throw new StoreAccessException("Redis at " + describe() + " runs version " + version
					+ ", which cannot store a state with its absolute expiry (SET … PXAT); write to Redis 6.2 or later");
		}
		return new RedisWorkflowItemWriter(name, this.node, this.keyPrefix, policy, this.settings.pipelineSize());
	}

	/**
	 * The maintenance operations on this server, under the key prefix; cheap, no round
	 * trip.
	 */
	@Override
	public Optional<MaintainableStore> maintenance() {
		return Optional.of(new RedisMaintenance(this.node, this.keyPrefix, this.settings.scanCount(),
				this.settings.pipelineSize(), this.settings.pipelinesInFlight()));
	}

	/**
	 * {@code DBSIZE}: every key of the database, so an upper bound when other keys share
	 * it.
	 */
	@Override
	public long estimateCount() {
		return this.node.execute(Jedis::dbSize);
	}

	/** The server's version as it reports it, for logs and reports. */
	public String serverVersion() {
		return this.node.version().text();
	}

	@Override
	public void close() {
		this.node.close();
	}

	@Override
	public String toString() {
		return "RedisWorkflowStore[" + describe() + "]";
	}

}
