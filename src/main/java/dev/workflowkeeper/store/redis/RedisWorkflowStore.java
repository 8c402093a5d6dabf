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
 * The workflow states of a Redis, standalone or a Cluster (see {@link RedisTopology}):
 * keys {@code keyPrefix + threadId} holding the state as a JSON string with a TTL.
 * Connects when created, so that a wrong address or password fails at once with one clear
 * line ({@link StoreAccessException}), and reads the server's version to choose its
 * commands. Closing the store closes its connection pool; readers and writers it handed
 * out stop working.
 * <p>
 * Thread-safe: readers and writers each borrow pooled connections; each of them is used
 * by one thread.
 */
public class RedisWorkflowStore implements WorkflowStore {

	private final StoreUri uri;

	private final String keyPrefix;

	private final KeeperProperties.Redis settings;

	private final RedisTopology topology;

	/** The seed node: the server, or the Cluster node the address names. */
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
		this.topology = RedisTopology.connect(uri, this.settings, pace);
		this.node = this.topology.seed();
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
	 * One reader for a standalone server, named {@code name}; one per master of a
	 * Cluster, named {@code name.<slot ranges>} ({@code source.0-5460}), which reads the
	 * keys of the slots its master owns.
	 */
	@Override
	public List<ItemStreamReader<WorkflowEntry>> readers(String name) {
		return this.topology.shards().stream().map((shard) -> {
			RedisWorkflowItemReader reader = new RedisWorkflowItemReader(readerName(name, shard), shard.node(),
					this.keyPrefix, this.settings.scanCount(), this.settings.pipelineSize(),
					this.settings.pipelinesInFlight());
			partition(reader, shard);
			return (ItemStreamReader<WorkflowEntry>) reader;
		}).toList();
	}

	/** The name of a shard's reader: {@code name} alone for a standalone server. */
	static String readerName(String name, RedisTopology.Shard shard) {
		return shard.name().isEmpty() ? name : name + "." + shard.name();
	}

	/** Limits a Cluster master's reader to the keys of its slots. */
	static void partition(RedisScanItemReader<?, ?> reader, RedisTopology topology, RedisTopology.Shard shard) {
		if (topology.cluster()) {
			RedisNode node = shard.node();
			reader.owned((key) -> topology.owner(key) == node, () -> topology.slotsOf(node));
		}
	}

	private void partition(RedisScanItemReader<?, ?> reader, RedisTopology.Shard shard) {
		partition(reader, this.topology, shard);
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
		return new RedisWorkflowItemWriter(name, this.topology, this.keyPrefix, policy, this.settings.pipelineSize());
	}

	/**
	 * The maintenance operations on this server, under the key prefix; cheap, no round
	 * trip.
	 */
	@Override
	public Optional<MaintainableStore> maintenance() {
		return Optional.of(new RedisMaintenance(this.topology, this.keyPrefix, this.settings.scanCount(),
				this.settings.pipelineSize(), this.settings.pipelinesInFlight()));
	}

	/**
	 * {@code DBSIZE}, summed over the masters of a Cluster: every key of the database, so
	 * an upper bound when other keys share it.
	 */
	@Override
	public long estimateCount() {
		return this.topology.shards().stream().mapToLong((shard) -> shard.node().execute(Jedis::dbSize)).sum();
	}

	/** Whether the store is a Redis Cluster. */
	public boolean cluster() {
		return this.topology.cluster();
	}

	/** The server's version as it reports it, for logs and reports. */
	public String serverVersion() {
		return this.node.version().text();
	}

	@Override
	public void close() {
		this.topology.close();
	}

	@Override
	public String toString() {
		return "RedisWorkflowStore[" + describe() + "]";
	}

}
