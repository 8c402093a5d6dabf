package dev.workflowkeeper.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.workflowkeeper.config.KeeperProperties;

import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.test.context.DynamicPropertyRegistry;

/**
 * The settings a test gives a worker, over its configuration files: the data folder and
 * its history database, the Redis to use, the scheduling, and any other property. One set
 * of settings serves each way a test starts worker code: a command in this JVM or in its
 * own ({@link KeeperCli}), a Spring test context ({@link #registerIn},
 * {@link #asPropertyValues}), an application's arguments ({@link #asArguments}), or a
 * store built by hand ({@link #keeperProperties}).
 * <p>
 * Immutable: every {@code with…} method returns new settings.
 */
public final class WorkerSettings {

	private final Map<String, String> values;

	private WorkerSettings(Map<String, String> values) {
		this.values = Collections.unmodifiableMap(values);
	}

	/** No setting overridden: the worker's own defaults. */
	public static WorkerSettings defaults() {
		return new WorkerSettings(new LinkedHashMap<>());
	}

	/** A worker whose data folder is {@code dataDir}, with its history database in it. */
	public static WorkerSettings in(Path dataDir) {
		return defaults().with("keeper.data-dir", dataDir).with("spring.datasource.url", historyUrl(dataDir));
	}

	/**
	 * The JDBC URL of a history database in {@code dir}: an H2 file that several workers
	 * and commands may open at once (AUTO_SERVER), as the worker's own default does.
	 */
	public static String historyUrl(Path dir) {
		return "jdbc:h2:file:" + dir.toAbsolutePath().resolve("history") + ";AUTO_SERVER=TRUE;AUTO_RECONNECT=TRUE";
	}

	/**
	 * The default store is the Redis at {@code url} ({@code USE_REDIS} and
	 * {@code REDIS_URL}).
	 */
	public WorkerSettings withRedis(String url) {
		return with("keeper.redis.use-redis", true).with("keeper.redis.url", url);
	}

	/**
	 * How a scan of Redis walks the keys: SCAN COUNT, keys per pipeline, pipelines in
	 * flight.
	 */
	public WorkerSettings withRedisPaging(int scanCount, int pipelineSize, int pipelinesInFlight) {
		return with("keeper.redis.scan-count", scanCount).with("keeper.redis.pipeline-size", pipelineSize)
			.with("keeper.redis.pipelines-in-flight", pipelinesInFlight);
	}

	/** The worker fires the schedules of the job files in {@code jobsDir}. */
	public WorkerSettings withScheduling(Path jobsDir) {
		return with("keeper.scheduling.enabled", true).with("keeper.scheduling.jobs-dir", jobsDir);
	}

	/**
	 * The worker fires no schedule (the test configuration's default, stated for a
	 * context that needs it).
	 */
	public WorkerSettings withoutScheduling() {
		return with("keeper.scheduling.enabled", false);
	}

	/** These settings and one more, which replaces any of the same name. */
	public WorkerSettings with(String name, Object value) {
		Map<String, String> values = new LinkedHashMap<>(this.values);
		values.put(name, String.valueOf(value));
		return new WorkerSettings(values);
	}

	/** These settings and all of {@code more}, which win over these. */
	public WorkerSettings with(WorkerSettings more) {
		Map<String, String> values = new LinkedHashMap<>(this.values);
		values.putAll(more.values);
		return new WorkerSettings(values);
	}

	/** One setting, or {@code null} when it is not overridden. */
	public String get(String name) {
		return this.values.get(name);
	}

	/** The overrides by name, as {@code KeeperCommandLine.run} takes them. */
	public Map<String, Object> asMap() {
		return new LinkedHashMap<>(this.values);
	}

	/**
	 * {@code name=value} pairs, for {@code ApplicationContextRunner.withPropertyValues}.
	 */
	public String[] asPropertyValues() {
		return this.values.entrySet()
			.stream()
			.map((entry) -> entry.getKey() + "=" + entry.getValue())
			.toArray(String[]::new);
	}

	/** {@code --name=value} arguments, for {@code SpringApplication.run}. */
	public String[] asArguments() {
		return this.values.entrySet()
			.stream()
			.map((entry) -> "--" + entry.getKey() + "=" + entry.getValue())
			.toArray(String[]::new);
	}

	/** {@code -Dname=value} options, for a worker in a JVM of its own. */
	public List<String> asSystemProperties() {
		List<String> options = new ArrayList<>(this.values.size());
		this.values.forEach((name, value) -> options.add("-D" + name + "=" + value));
		return options;
	}

	/** Adds the settings to a {@code @DynamicPropertySource}'s registry. */
	public void registerIn(DynamicPropertyRegistry registry) {
		this.values.forEach((name, value) -> registry.add(name, () -> value));
	}

	/**
	 * The worker's {@code keeper.*} properties as it binds them: these settings over the
	 * defaults of {@link KeeperProperties}.
	 */
	public KeeperProperties keeperProperties() {
		return new Binder(new MapConfigurationPropertySource(this.values)).bindOrCreate("keeper",
				KeeperProperties.class);
	}

}
