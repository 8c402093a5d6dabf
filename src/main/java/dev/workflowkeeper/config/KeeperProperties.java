package dev.workflowkeeper.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;

/**
 * The worker's settings, bound from {@code keeper.*}. The defaults are declared here,
 * once; the built-in {@code application.yml} maps the workflow service's own environment
 * variables ({@code REDIS_URL}, {@code WORKFLOW_STATE_TTL}, …) onto them, so the worker
 * drops into the service's deployment unchanged. The {@code @param} tags are the
 * descriptions of the configuration metadata, and {@code docs/configuration.md} lists the
 * same settings and defaults.
 *
 * @param keyPrefix the prefix of every state key; the thread id follows it
 * @param stateTtl the TTL the service gives a state (WORKFLOW_STATE_TTL), in seconds
 * @param dataDir where the history database, rejects, archives, migration work files and
 * the memory store live
 * @param redis how to reach Redis
 * @param migration limits of the migration job
 * @param maintenance defaults of the maintenance jobs (report, TTL enforcement, purge)
 */
@ConfigurationProperties("keeper")
public record KeeperProperties(@DefaultValue("document_workflow:") String keyPrefix,
		@DefaultValue("86400") @DurationUnit(ChronoUnit.SECONDS) Duration stateTtl,
		@DefaultValue("./data") Path dataDir, @DefaultValue Redis redis, @DefaultValue Migration migration,
		@DefaultValue Maintenance maintenance) {

	/**
	 * Redis connection settings.
	 *
	 * @param url the Redis of the default store (REDIS_URL); empty when none is
	 * configured
	 * @param useRedis whether the default store is that Redis (USE_REDIS); without it the
	 * default store is the embedded memory: store
	 * @param password the Redis password (REDIS_PASSWORD), used when the URL names none
	 * @param db the Redis database (REDIS_DB), used when the URL names none
	 * @param maxConnections the size of the connection pool of each Redis
	 * (REDIS_MAX_CONNECTIONS)
	 * @param socketTimeout how long a Redis command may take (REDIS_SOCKET_TIMEOUT), in
	 * seconds as the service reads it
	 * @param connectTimeout how long connecting to Redis may take
	 * (REDIS_SOCKET_CONNECT_TIMEOUT), in seconds
	 * @param scanCount the COUNT hint of every SCAN
	 * @param pipelineSize how many per-key commands go out in one pipeline
	 * @param pipelinesInFlight how many pipelines a scan of Redis (a migration's source,
	 * a maintenance job) keeps in flight ahead of the step, each on its own connection
	 * (0: one at a time, when the step needs it)
	 * @param retry how a command that meets a passing trouble of the server (a dropped
	 * connection, BUSY, LOADING, TRYAGAIN, OOM) is tried again
	 * @param pace the default pace of the jobs that work a Redis, which a launch may
	 * change
	 * @param tls how a {@code rediss://} (or {@code rediss-sentinel://}) address is
	 * trusted
	 * @param sentinel settings of the Sentinels of a {@code redis-sentinel://} address
	 */
	public record Redis(@DefaultValue("") String url, @DefaultValue("false") boolean useRedis,
			@DefaultValue("") String password, Integer db, @DefaultValue("16") int maxConnections,
			@DefaultValue("30") @DurationUnit(ChronoUnit.SECONDS) Duration socketTimeout,
			@DefaultValue("10") @DurationUnit(ChronoUnit.SECONDS) Duration connectTimeout,
			@DefaultValue("1000") int scanCount, @DefaultValue("1000") int pipelineSize,
			@DefaultValue("2") int pipelinesInFlight, @DefaultValue Retry retry, @DefaultValue Pace pace,
			@DefaultValue Tls tls, @DefaultValue Sentinel sentinel) {

		/** Whether a Redis is configured for the worker's default store. */
		public boolean configured() {
			return this.useRedis && this.url != null && !this.url.isBlank();
		}

		/**
		 * How fast the jobs work a Redis unless a launch says otherwise (the options
		 * {@code --max-rate} and {@code --latency-budget}), so that the service sharing
		 * it does not feel them.
		 *
		 * @param maxRate the most keys a second a job reads or writes on one Redis (0: no
		 * limit)
		 * @param latencyBudget how much a job may add to the server's response time, as a
		 * probe connection of its own measures it: the job slows down to stay within it
		 * and speeds up again when there is room (0: off)
		 * @param probeInterval how often the probe measures the server's response time
		 * @param spareCores how many of the machine's cores a paced job leaves to the
		 * Redis and the service on the same host: while it runs, the worker's threads
		 * keep off them (Linux; 0: none; never all the cores)
		 */
		public record Pace(@DefaultValue("0") long maxRate, @DefaultValue("250us") Duration latencyBudget,
				@DefaultValue("10ms") Duration probeInterval, @DefaultValue("1") int spareCores) {

		}

		/**
		 * How the worker trusts a Redis that speaks TLS: the same for a standalone
		 * server, the master and Sentinels of a Sentinel address, and the nodes of a
		 * Cluster. Without a CA file or a trust store the JVM's trust store decides.
		 *
		 * @param caFile a PEM file of the certificates to trust (one or more CAs)
		 * @param trustStore a trust store file (PKCS12 or JKS) of the certificates to
		 * trust
		 * @param trustStorePassword the trust store's password, if it has one
		 * @param trustStoreType the trust store's type
		 * @param verifyMode {@code full}: the certificate chain and the host name;
		 * {@code ca}: the chain only (servers that announce IP addresses their
		 * certificate does not name); {@code none}: nothing, only when set explicitly
		 */
		public record Tls(Path caFile, Path trustStore, String trustStorePassword,
				@DefaultValue("PKCS12") String trustStoreType, @DefaultValue("full") VerifyMode verifyMode) {

			/** How much of the server's certificate the worker checks. */
			public enum VerifyMode {

				/** The chain up to a trusted certificate and the host name. */
				FULL,

				/** The chain only. */
				CA,

				/** Nothing: anyone in the middle can read and change the traffic. */
				NONE

			}

		}

		/**
		 * Settings of the Sentinels of a {@code redis-sentinel://} address; the user and
		 * password of the address are the master's.
		 *
		 * @param user the Sentinels' ACL user, if they need one
		 * @param password the Sentinels' password (REDIS_SENTINEL_PASSWORD), if they need
		 * one
		 */
		public record Sentinel(@DefaultValue("") String user, @DefaultValue("") String password) {

		}

		/**
		 * How a Redis command (a SCAN, a pipeline) that fails on a passing trouble is run
		 * again, on a fresh connection, from the same position: after a pause that
		 * doubles from {@code initialBackoff} up to {@code maxBackoff}, with jitter,
		 * until {@code maxAttempts} attempts or {@code maxTime} since the first,
		 * whichever comes first; then the step fails, resumable.
		 *
		 * @param maxAttempts attempts of one command, the first included (1: never retry)
		 * @param initialBackoff the pause before the first retry
		 * @param maxBackoff the longest pause between two attempts
		 * @param maxTime how long one command keeps being retried
		 */
		public record Retry(@DefaultValue("10") int maxAttempts, @DefaultValue("100ms") Duration initialBackoff,
				@DefaultValue("5s") Duration maxBackoff, @DefaultValue("30s") Duration maxTime) {

			/** No retry: the first failure is final. */
			public static Retry never() {
				return new Retry(1, Duration.ZERO, Duration.ZERO, Duration.ZERO);
			}

		}

	}

	/**
	 * Limits of the migration job.
	 *
	 * @param chunkSize states per chunk (one transaction of the job history, one
	 * pipeline)
	 * @param maxRecordSize a larger record is rejected
	 * @param ttlTolerance how far a target's expiry may drift from the expected one
	 * before verification counts it
	 * @param prefetch how many states a background thread reads ahead of the writes, so
	 * that reading and writing overlap; 0 reads on the step's thread
	 * @param prefetchBytes how many bytes of states may wait read ahead (one larger state
	 * still does)
	 * @param maxTargetMemory how far a migration or a generation may fill a Redis target:
	 * a share of its maxmemory ({@code 90%}), a size ({@code 2GB}) or {@code off}; read
	 * by {@code dev.workflowkeeper.headroom.TargetMemoryLimit}
	 */
	public record Migration(@DefaultValue("1000") int chunkSize, @DefaultValue("16MB") DataSize maxRecordSize,
			@DefaultValue("5s") Duration ttlTolerance, @DefaultValue("4000") int prefetch,
			@DefaultValue("32MB") DataSize prefetchBytes, @DefaultValue("90%") String maxTargetMemory) {
	}

	/**
	 * Defaults of the maintenance jobs.
	 *
	 * @param staleAfter a state not updated for longer is stale; zero means twice the
	 * state TTL
	 * @param terminalRetention how long a finished state (completed, failed, cancelled)
	 * is kept
	 * @param purgeMaxShare a purge that would delete a larger share of the scanned states
	 * stops without deleting, unless forced
	 * @param topKeys how many of the largest keys a memory report lists
	 * @param chunkSize keys per chunk (one transaction of the job history, so a restart
	 * reads at most this many again)
	 * @param prefetch how many keys a background thread reads ahead of the step, so that
	 * the Redis round trips overlap with judging and writing; 0 reads on the step's
	 * thread
	 * @param prefetchBytes how many bytes of values may wait read ahead (one larger value
	 * still does)
	 * @param skipLimit how many unreadable keys a maintenance run skips before it fails
	 */
	public record Maintenance(@DefaultValue("0s") Duration staleAfter, @DefaultValue("24h") Duration terminalRetention,
			@DefaultValue("0.5") double purgeMaxShare, @DefaultValue("10") int topKeys,
			@DefaultValue("5000") int chunkSize, @DefaultValue("4000") int prefetch,
			@DefaultValue("32MB") DataSize prefetchBytes, @DefaultValue("1000") long skipLimit) {
	}

	/**
	 * When a state counts as stale: {@code maintenance.staleAfter}, or twice the state
	 * TTL.
	 */
	public Duration staleAfter() {
		return this.maintenance.staleAfter().isZero() ? this.stateTtl.multipliedBy(2) : this.maintenance.staleAfter();
	}

}
