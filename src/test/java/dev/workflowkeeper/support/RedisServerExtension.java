package dev.workflowkeeper.support;

import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.workflowkeeper.support.RedisServerProcess.Version;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

import redis.clients.jedis.Jedis;

import org.springframework.util.Assert;

/**
 * Shares one redis-server per {@link Version} across the test JVM and hands each test
 * class a database of its own on it, emptied ({@code FLUSHDB}) before each of the class's
 * tests (so keys a test needs are written in {@code @BeforeEach} or in the test, not in
 * {@code @BeforeAll}). A server starts on first use, through {@link RedisServerProcess}
 * (so {@link Version#DEFAULT} is the Redis 7 of the PATH, or the shipped 6.2 where none
 * is installed), and lives in the root context's store, which stops it when the test run
 * ends; a class's databases go back to their server when the class ends. The class's
 * report entries and its output say which server it got.
 * <p>
 * Two ways in:
 * <ul>
 * <li>{@code @ExtendWith(RedisServerExtension.class)} and a {@link RedisDatabase}
 * parameter of a test, a lifecycle method or the constructor, annotated
 * {@link RedisVersion @RedisVersion} for a version other than the default;</li>
 * <li>for tests that pick the version at run time (parameterized over {@link Version}), a
 * static {@code @RegisterExtension} field and {@link #fresh(Version)}.</li>
 * </ul>
 * Only the database is the class's. A test that changes the server itself (CONFIG SET,
 * ACL users, SCRIPT FLUSH, CONFIG RESETSTAT) undoes what others could notice, and a test
 * that kills, restarts or password-protects a server starts its own
 * {@link RedisServerProcess}.
 */
public final class RedisServerExtension implements BeforeEachCallback, ParameterResolver {

	/**
	 * The databases of each shared server: one per test class that holds one at the time.
	 */
	static final int DATABASES = 64;

	private static final Namespace NAMESPACE = Namespace.create(RedisServerExtension.class);

	/** The test in progress, for {@link #fresh}. */
	private volatile ExtensionContext current;

	/**
	 * The test class's database on the shared server of {@code version}, emptied now: for
	 * a static {@code @RegisterExtension} field, called from a test.
	 */
	public RedisDatabase fresh(Version version) {
		ExtensionContext context = this.current;
		Assert.state(context != null, "no test in progress: register the extension with @RegisterExtension on a "
				+ "static field and call fresh(version) from a test");
		RedisDatabase database = database(context, version);
		database.flush();
		return database;
	}

	@Override
	public void beforeEach(ExtensionContext context) {
		this.current = context;
		ClassDatabases databases = classContext(context).getStore(NAMESPACE)
			.get(ClassDatabases.class, ClassDatabases.class);
		if (databases != null) {
			databases.flush();
		}
	}

	@Override
	public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		return parameterContext.getParameter().getType() == RedisDatabase.class;
	}

	@Override
	public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
		Version version = parameterContext.findAnnotation(RedisVersion.class)
			.map(RedisVersion::value)
			.orElse(Version.DEFAULT);
		return database(extensionContext, version);
	}

	private static RedisDatabase database(ExtensionContext context, Version version) {
		ExtensionContext testClass = classContext(context);
		ClassDatabases databases = testClass.getStore(NAMESPACE)
			.computeIfAbsent(ClassDatabases.class, (key) -> new ClassDatabases(), ClassDatabases.class);
		SharedServer server = context.getRoot()
			.getStore(NAMESPACE)
			.computeIfAbsent(version, SharedServer::start, SharedServer.class);
		return databases.get(server, testClass);
	}

	/**
	 * The context of the test class (the innermost, for a nested one) that
	 * {@code context} belongs to.
	 */
	private static ExtensionContext classContext(ExtensionContext context) {
		ExtensionContext current = context;
		while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
			current = current.getParent().get();
		}
		return current;
	}

	/**
	 * One shared server and which of its databases are held; closed with the root
	 * context.
	 */
	private static final class SharedServer implements AutoCloseable {

		private final Version requested;

		private final RedisServerProcess process;

		private final String version;

		private final BitSet held = new BitSet(DATABASES);

		private SharedServer(Version requested, RedisServerProcess process, String version) {
			this.requested = requested;
			this.process = process;
			this.version = version;
		}

		static SharedServer start(Version requested) {
			RedisServerProcess process = RedisServerProcess.start(requested, "--databases",
					Integer.toString(DATABASES));
			try (Jedis jedis = new Jedis("127.0.0.1", process.port())) {
				return new SharedServer(requested, process, serverVersion(jedis.info("server")));
			}
			catch (RuntimeException ex) {
				process.close();
				throw ex;
			}
		}

		synchronized RedisDatabase acquire() {
			int db = this.held.nextClearBit(0);
			Assert.state(db < DATABASES, () -> "all " + DATABASES + " databases of the shared Redis " + this.version
					+ " are held: do that many test classes really run at once?");
			this.held.set(db);
			RedisDatabase database = new RedisDatabase(this.requested, this.version, this.process.port(), db);
			database.flush();
			return database;
		}

		synchronized void release(RedisDatabase database) {
			this.held.clear(database.db());
		}

		@Override
		public void close() {
			this.process.close();
		}

		private static String serverVersion(String info) {
			for (String line : info.split("\r?\n")) {
				if (line.startsWith("redis_version:")) {
					return line.substring("redis_version:".length()).trim();
				}
			}
			throw new IllegalStateException("redis-server reports no redis_version in INFO server");
		}

	}

	/**
	 * The databases one test class holds, at most one per server; given back when the
	 * class ends.
	 */
	private static final class ClassDatabases implements AutoCloseable {

		private final Map<SharedServer, RedisDatabase> held = new LinkedHashMap<>();

		synchronized RedisDatabase get(SharedServer server, ExtensionContext testClass) {
			RedisDatabase database = this.held.get(server);
			if (database == null) {
				database = server.acquire();
				this.held.put(server, database);
				// Surefire keeps no report entries, but it keeps each class's output
				String description = describe(database);
				testClass.publishReportEntry("redis", description);
				System.out.println(testClass.getDisplayName() + " uses " + description);
			}
			return database;
		}

		synchronized void flush() {
			this.held.values().forEach(RedisDatabase::flush);
		}

		@Override
		public synchronized void close() {
			this.held.forEach(SharedServer::release);
			this.held.clear();
		}

		private static String describe(RedisDatabase database) {
			if (database.requested() == Version.DEFAULT && !database.isRedis7()) {
				return database + " (Redis 7 asked for: no redis-server on the PATH, the shipped one instead)";
			}
			return database.toString();
		}

	}

}
