package dev.workflowkeeper.store.redis;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import redis.clients.jedis.Jedis;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static dev.workflowkeeper.store.redis.RedisTestServers.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RedisWorkflowStoreIntegrationTests {

	private static final String PASSWORD = "s3cret-Pa55word";

	private static final RedisTestServers servers = new RedisTestServers();

	@AfterAll
	static void stopServers() {
		servers.close();
	}

	@Test
	void shouldFailClearlyWhenNothingListens() {
		// given
		int port = RedisServerProcess.freePort();

		// when
		StoreAccessException ex = connectFailure("redis://127.0.0.1:" + port + "/0", properties(""));

		// then
		assertThat(ex).hasMessage("cannot reach Redis at redis://127.0.0.1:" + port + "/0: connection refused");
	}

	@Test
	void shouldFailClearlyWhenTheServerDoesNotAnswer() throws Exception {
		// given: a socket that accepts connections into its backlog but never answers
		try (ServerSocket silent = new ServerSocket(0)) {
			KeeperProperties properties = RedisTestServers.properties("", null, Duration.ofMillis(300), 1000, 1000);

			// when
			StoreAccessException ex = connectFailure("redis://127.0.0.1:" + silent.getLocalPort() + "/0", properties);

			// then
			assertThat(ex).hasMessageStartingWith("Redis at redis://127.0.0.1:" + silent.getLocalPort() + "/0 did not answer in time");
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldFailClearlyOnAWrongPasswordWithoutShowingIt(Version version) {
		// given
		try (RedisServerProcess server = withPassword(version)) {
			String address = "redis://:wrong-" + PASSWORD + "@127.0.0.1:" + server.port() + "/0";

			// when
			StoreAccessException ex = connectFailure(address, properties(""));

			// then
			assertThat(ex.getMessage())
				.startsWith("Redis at redis://:****@127.0.0.1:" + server.port() + "/0 refused the credentials: WRONGPASS")
				.endsWith("; check REDIS_PASSWORD or the URL");
			assertThat(messages(ex)).noneMatch((message) -> message.contains(PASSWORD));
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldFailClearlyWhenAPasswordIsRequiredButNoneIsGiven(Version version) {
		// given
		try (RedisServerProcess server = withPassword(version)) {

			// when
			StoreAccessException ex = connectFailure(server.uri(), properties(""));

			// then
			assertThat(ex.getMessage()).startsWith("Redis at " + server.uri() + " requires a password: NOAUTH")
				.endsWith("; set REDIS_PASSWORD or put it in the URL");
		}
	}

	@Test
	void shouldFailClearlyOnAWrongPasswordFromTheSettingsWithoutShowingIt() {
		// given
		try (RedisServerProcess server = withPassword(Version.DEFAULT)) {

			// when
			StoreAccessException ex = connectFailure(server.uri(), properties(PASSWORD + "-typo"));

			// then
			assertThat(ex.getMessage()).startsWith("Redis at " + server.uri() + " refused the credentials: WRONGPASS");
			assertThat(messages(ex)).noneMatch((message) -> message.contains(PASSWORD));
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldTakeThePasswordFromTheSettingsOnlyWhenTheUrlHasNone(Version version) {
		try (RedisServerProcess server = withPassword(version)) {
			// the settings fill in
			try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX, properties(PASSWORD))) {
				assertThat(store.estimateCount()).isZero();
			}
			// the URL's own password wins over a wrong one in the settings
			StoreUri withPassword = StoreUri.parse("redis://:" + PASSWORD + "@127.0.0.1:" + server.port() + "/0");
			try (RedisWorkflowStore store = new RedisWorkflowStore(withPassword, PREFIX, properties("not-it"))) {
				assertThat(store.estimateCount()).isZero();
				assertThat(store.describe()).isEqualTo("redis://:****@127.0.0.1:" + server.port() + "/0");
			}
		}
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldAuthenticateAsAnAclUser(Version version) throws Exception {
		// given: a user that may only touch workflow states
		RedisServerProcess server = servers.fresh(version);
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.aclDelUser("keeper");
			jedis.aclSetUser("keeper", "on", ">" + PASSWORD, "~" + PREFIX + "*", "+@all");
			jedis.set(PREFIX + "t-1", "{}");
		}
		StoreUri address = StoreUri.parse("redis://keeper:" + PASSWORD + "@127.0.0.1:" + server.port() + "/0");

		// when
		List<WorkflowEntry> entries = new ArrayList<>();
		try (RedisWorkflowStore store = new RedisWorkflowStore(address, PREFIX, properties(""))) {
			ItemStreamReader<WorkflowEntry> reader = store.readers("states").get(0);
			reader.open(new ExecutionContext());
			for (WorkflowEntry entry = reader.read(); entry != null; entry = reader.read()) {
				entries.add(entry);
			}
			reader.close();
		}
		StoreAccessException wrong = connectFailure(
				"redis://keeper:wrong@127.0.0.1:" + server.port() + "/0", properties(""));

		// then
		assertThat(entries).extracting(WorkflowEntry::threadId).containsExactly("t-1");
		assertThat(wrong.getMessage()).startsWith("Redis at redis://keeper:****@127.0.0.1:" + server.port()
				+ "/0 refused the credentials: WRONGPASS");
	}

	@Test
	void shouldFailClearlyWhenTheAclUserMayNotRunACommand() {
		// given: a user without INFO, which the store needs to learn the server's version
		RedisServerProcess server = servers.fresh(Version.DEFAULT);
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.aclDelUser("limited");
			jedis.aclSetUser("limited", "on", ">" + PASSWORD, "~*", "+@all", "-info");
		}

		// when
		StoreAccessException ex = connectFailure("redis://limited:" + PASSWORD + "@127.0.0.1:" + server.port() + "/0",
				properties(""));

		// then
		assertThat(ex.getMessage()).startsWith("Redis at redis://limited:****@127.0.0.1:" + server.port()
				+ "/0 denied a command to this user: NOPERM");
		assertThat(messages(ex)).noneMatch((message) -> message.contains(PASSWORD));
	}

	@Test
	void shouldUseTheDatabaseOfTheUrlElseTheOneOfTheSettings() throws Exception {
		// given
		RedisServerProcess server = servers.fresh(Version.DEFAULT);
		WorkflowEntry entry = new WorkflowEntry("t-1", "{}".getBytes(), System.currentTimeMillis() + 60_000);

		// when
		write(StoreUri.parse(server.uri(3)), properties("", 5), entry);
		write(StoreUri.parse("redis://127.0.0.1:" + server.port()), properties("", 6), entry);
		write(StoreUri.parse("redis://127.0.0.1:" + server.port() + "/"), properties("", null), entry);

		// then
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			for (int db : new int[] { 0, 3, 6 }) {
				jedis.select(db);
				assertThat(jedis.exists(PREFIX + "t-1")).as("db " + db).isTrue();
			}
			jedis.select(5);
			assertThat(jedis.dbSize()).isZero();
		}
	}

	@Test
	void shouldFailClearlyWhenTheDatabaseDoesNotExist() {
		// given
		RedisServerProcess server = servers.fresh(Version.DEFAULT);

		// when
		StoreAccessException ex = connectFailure(server.uri(99), properties(""));

		// then
		assertThat(ex.getMessage()).startsWith("Redis at " + server.uri(99) + " has no such database");
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldEstimateTheCountWithTheSizeOfTheDatabase(Version version) {
		// given
		RedisServerProcess server = servers.fresh(version);
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.set(PREFIX + "a", "{}");
			jedis.set(PREFIX + "b", "{}");
			jedis.set("session:1", "{}");
		}

		// when
		try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX, properties(""))) {

			// then
			assertThat(store.estimateCount()).isEqualTo(3);
			assertThat(store.holdsExpiries()).isTrue();
			assertThat(store.serverVersion()).startsWith((version == Version.V6_2) ? "6.2." : "7.");
		}
	}

	@Test
	void shouldFailClearlyWhenTheServerGoesAwayDuringARead() {
		// given
		RedisServerProcess server = RedisServerProcess.start(Version.DEFAULT);
		try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX, properties(""))) {
			ItemStreamReader<WorkflowEntry> reader = store.readers("states").get(0);
			reader.open(new ExecutionContext());

			// when
			server.kill();
			StoreAccessException ex = catchThrowableOfType(StoreAccessException.class, reader::read);

			// then
			assertThat(ex.getMessage()).contains("Redis at " + server.uri());
		}
		finally {
			server.close();
		}
	}

	/**
	 * A server that requires {@link #PASSWORD}; set once it runs, because {@link RedisServerProcess}
	 * waits for a {@code +PONG} that a server started with {@code --requirepass} never sends.
	 */
	private static RedisServerProcess withPassword(Version version) {
		RedisServerProcess server = RedisServerProcess.start(version);
		try (Jedis jedis = RedisTestServers.jedis(server)) {
			jedis.configSet("requirepass", PASSWORD);
		}
		return server;
	}

	private static void write(StoreUri address, KeeperProperties properties, WorkflowEntry entry) throws Exception {
		try (RedisWorkflowStore store = new RedisWorkflowStore(address, PREFIX, properties)) {
			WorkflowItemWriter writer = store.writer("target", ConflictPolicy.OVERWRITE);
			writer.open(new ExecutionContext());
			writer.write(Chunk.of(entry));
			writer.close();
		}
	}

	private static StoreAccessException connectFailure(String address, KeeperProperties properties) {
		StoreAccessException ex = catchThrowableOfType(StoreAccessException.class,
				() -> new RedisWorkflowStore(StoreUri.parse(address), PREFIX, properties).close());
		assertThat(ex).as("connecting to " + StoreUri.mask(address)).isNotNull();
		assertThat(ex.getMessage()).doesNotContain("\n");
		return ex;
	}

	/** The messages of an exception and all its causes: none may show a password. */
	private static List<String> messages(Throwable ex) {
		List<String> messages = new ArrayList<>();
		for (Throwable t = ex; t != null; t = t.getCause()) {
			messages.add(String.valueOf(t.getMessage()));
			messages.add(t.toString());
		}
		return messages;
	}

	private static KeeperProperties properties(String password) {
		return properties(password, null);
	}

	private static KeeperProperties properties(String password, Integer db) {
		return RedisTestServers.properties(password, db, 1000, 1000);
	}

}
