package dev.workflowkeeper.store.redis;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreAccessException;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowEntry;
import dev.workflowkeeper.store.WorkflowItemWriter;
import dev.workflowkeeper.support.RedisDatabase;
import dev.workflowkeeper.support.RedisServerExtension;
import dev.workflowkeeper.support.RedisServerProcess.Version;
import dev.workflowkeeper.support.RedisServerProcess;
import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import redis.clients.jedis.Jedis;

import org.springframework.batch.infrastructure.item.Chunk;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.item.ItemStreamReader;

import static dev.workflowkeeper.support.SampleStates.PREFIX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RedisWorkflowStoreIntegrationTests {

	private static final String PASSWORD = "s3cret-Pa55word";

	@RegisterExtension
	static final RedisServerExtension servers = new RedisServerExtension();

	private final List<RedisDatabase> aclServers = new ArrayList<>();

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
			KeeperProperties properties = WorkerSettings.defaults()
				.with("keeper.redis.socket-timeout", "300ms")
				.keeperProperties();

			// when
			StoreAccessException ex = connectFailure("redis://127.0.0.1:" + silent.getLocalPort() + "/0", properties);

			// then
			assertThat(ex).hasMessageStartingWith(
					"Redis at redis://127.0.0.1:" + silent.getLocalPort() + "/0 did not answer in time");
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
				.startsWith(
						"Redis at redis://:****@127.0.0.1:" + server.port() + "/0 refused the credentials: WRONGPASS")
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
			try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
					properties(PASSWORD).redis())) {
				assertThat(store.estimateCount()).isZero();
			}
			// the URL's own password wins over a wrong one in the settings
			StoreUri withPassword = StoreUri.parse("redis://:" + PASSWORD + "@127.0.0.1:" + server.port() + "/0");
			try (RedisWorkflowStore store = new RedisWorkflowStore(withPassword, PREFIX,
					properties("not-it").redis())) {
				assertThat(store.estimateCount()).isZero();
				assertThat(store.describe()).isEqualTo("redis://:****@127.0.0.1:" + server.port() + "/0");
			}
		}
	}

	@AfterEach
	void deleteAclUsers() {
		// ACL users belong to the whole shared server, not to this class's database
		for (RedisDatabase server : this.aclServers) {
			try (Jedis jedis = server.jedis()) {
				jedis.aclDelUser("keeper", "limited");
			}
		}
		this.aclServers.clear();
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldAuthenticateAsAnAclUser(Version version) throws Exception {
		// given: a user that may only touch workflow states
		RedisDatabase server = servers.fresh(version);
		this.aclServers.add(server);
		try (Jedis jedis = server.jedis()) {
			jedis.aclSetUser("keeper", "on", ">" + PASSWORD, "~" + PREFIX + "*", "+@all");
			jedis.set(PREFIX + "t-1", "{}");
		}
		StoreUri address = StoreUri
			.parse("redis://keeper:" + PASSWORD + "@127.0.0.1:" + server.port() + "/" + server.db());

		// when
		List<WorkflowEntry> entries = new ArrayList<>();
		try (RedisWorkflowStore store = new RedisWorkflowStore(address, PREFIX, properties("").redis())) {
			ItemStreamReader<WorkflowEntry> reader = store.readers("states").get(0);
			reader.open(new ExecutionContext());
			for (WorkflowEntry entry = reader.read(); entry != null; entry = reader.read()) {
				entries.add(entry);
			}
			reader.close();
		}
		StoreAccessException wrong = connectFailure(
				"redis://keeper:wrong@127.0.0.1:" + server.port() + "/" + server.db(), properties(""));

		// then
		assertThat(entries).extracting(WorkflowEntry::threadId).containsExactly("t-1");
		assertThat(wrong.getMessage()).startsWith("Redis at redis://keeper:****@127.0.0.1:" + server.port() + "/"
				+ server.db() + " refused the credentials: WRONGPASS");
	}

	@Test
	void shouldFailClearlyWhenTheAclUserMayNotRunACommand() {
		// given: a user without INFO nor HELLO, whose store learns no version, and
		// without DBSIZE, which has no fallback
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		this.aclServers.add(server);
		try (Jedis jedis = server.jedis()) {
			jedis.aclSetUser("limited", "on", ">" + PASSWORD, "~*", "+@all", "-info", "-hello", "-dbsize");
		}

		// when: it connects, and DBSIZE is refused
		String address = "redis://limited:" + PASSWORD + "@127.0.0.1:" + server.port() + "/" + server.db();
		StoreAccessException ex;
		try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(address), PREFIX,
				properties("").redis())) {
			ex = catchThrowableOfType(StoreAccessException.class, store::estimateCount);
		}

		// then
		assertThat(ex.getMessage()).isEqualTo("Redis at redis://limited:****@127.0.0.1:" + server.port() + "/"
				+ server.db() + " refused DBSIZE to user limited: grant it with +dbsize (see README, ACL rules)");
		assertThat(messages(ex)).noneMatch((message) -> message.contains(PASSWORD));
	}

	@Test
	void shouldUseTheDatabaseOfTheUrlElseTheOneOfTheSettings() throws Exception {
		// given: a server of its own, whose databases are all this test's
		try (RedisServerProcess server = RedisServerProcess.start(Version.DEFAULT)) {
			WorkflowEntry entry = new WorkflowEntry("t-1", "{}".getBytes(), System.currentTimeMillis() + 60_000);

			// when
			write(StoreUri.parse(server.uri(3)), properties("", 5), entry);
			write(StoreUri.parse("redis://127.0.0.1:" + server.port()), properties("", 6), entry);
			write(StoreUri.parse("redis://127.0.0.1:" + server.port() + "/"), properties("", null), entry);

			// then
			try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
				for (int db : new int[] { 0, 3, 6 }) {
					jedis.select(db);
					assertThat(jedis.exists(PREFIX + "t-1")).as("db " + db).isTrue();
				}
				jedis.select(5);
				assertThat(jedis.dbSize()).isZero();
			}
		}
	}

	@Test
	void shouldFailClearlyWhenTheDatabaseDoesNotExist() {
		// given
		RedisDatabase server = servers.fresh(Version.DEFAULT);
		String address = "redis://127.0.0.1:" + server.port() + "/99";

		// when
		StoreAccessException ex = connectFailure(address, properties(""));

		// then
		assertThat(ex.getMessage()).startsWith("Redis at " + address + " has no such database");
	}

	@ParameterizedTest
	@EnumSource(Version.class)
	void shouldEstimateTheCountWithTheSizeOfTheDatabase(Version version) {
		// given
		RedisDatabase server = servers.fresh(version);
		try (Jedis jedis = server.jedis()) {
			jedis.set(PREFIX + "a", "{}");
			jedis.set(PREFIX + "b", "{}");
			jedis.set("session:1", "{}");
		}

		// when
		try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
				properties("").redis())) {

			// then
			assertThat(store.estimateCount()).isEqualTo(3);
			assertThat(store.holdsExpiries()).isTrue();
			assertThat(store.serverVersion()).isEqualTo(server.version());
		}
	}

	@Test
	void shouldFailClearlyWhenTheServerGoesAwayDuringARead() {
		// given
		RedisServerProcess server = RedisServerProcess.start(Version.DEFAULT);
		try (RedisWorkflowStore store = new RedisWorkflowStore(StoreUri.parse(server.uri()), PREFIX,
				properties("").redis())) {
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
	 * A server that requires {@link #PASSWORD}; set once it runs, because
	 * {@link RedisServerProcess} waits for a {@code +PONG} that a server started with
	 * {@code --requirepass} never sends.
	 */
	private static RedisServerProcess withPassword(Version version) {
		RedisServerProcess server = RedisServerProcess.start(version);
		try (Jedis jedis = new Jedis("127.0.0.1", server.port())) {
			jedis.configSet("requirepass", PASSWORD);
		}
		return server;
	}

	private static void write(StoreUri address, KeeperProperties properties, WorkflowEntry entry) throws Exception {
		try (RedisWorkflowStore store = new RedisWorkflowStore(address, PREFIX, properties.redis())) {
			WorkflowItemWriter writer = store.writer("target", ConflictPolicy.OVERWRITE);
			writer.open(new ExecutionContext());
			writer.write(Chunk.of(entry));
			writer.close();
		}
	}

	private static StoreAccessException connectFailure(String address, KeeperProperties properties) {
		StoreAccessException ex = catchThrowableOfType(StoreAccessException.class,
				() -> new RedisWorkflowStore(StoreUri.parse(address), PREFIX, properties.redis()).close());
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
		WorkerSettings settings = WorkerSettings.defaults().with("keeper.redis.password", password);
		return ((db != null) ? settings.with("keeper.redis.db", db) : settings).keeperProperties();
	}

}
