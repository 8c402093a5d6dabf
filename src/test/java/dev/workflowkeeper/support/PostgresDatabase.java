package dev.workflowkeeper.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A database of its own on the PostgreSQL of the test machine (127.0.0.1:5432, user
 * postgres, trust), created for a test class and dropped after it; its outage can be
 * simulated (connections refused, its sessions ended) and ended. Tests that need it are
 * skipped where no PostgreSQL answers.
 */
public final class PostgresDatabase implements AutoCloseable {

	private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

	private static final String USER = "postgres";

	private final String name;

	private PostgresDatabase(String name) {
		this.name = name;
	}

	/** Creates a fresh database, or skips the test when no PostgreSQL answers. */
	public static PostgresDatabase create() {
		String name = "keeper_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		try {
			admin("CREATE DATABASE " + name);
		}
		catch (SQLException ex) {
			assumeTrue(false, "no PostgreSQL on 127.0.0.1:5432: " + ex.getMessage());
		}
		return new PostgresDatabase(name);
	}

	public String url() {
		return SERVER + this.name;
	}

	/** The settings of a worker whose history is this database. */
	public WorkerSettings historySettings() {
		return WorkerSettings.defaults()
			.with("spring.datasource.url", url())
			.with("spring.datasource.username", USER)
			.with("spring.datasource.password", "");
	}

	/** The database refuses new connections and its open sessions are ended. */
	public void goDown() throws SQLException {
		admin("ALTER DATABASE " + this.name + " ALLOW_CONNECTIONS false");
		admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + this.name + "'");
	}

	/** The database accepts connections again. */
	public void comeBack() throws SQLException {
		admin("ALTER DATABASE " + this.name + " ALLOW_CONNECTIONS true");
	}

	/** The rows a query returns, each as its columns by lower-case label. */
	public List<Map<String, Object>> query(String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(url(), USER, "");
				Statement statement = connection.createStatement();
				ResultSet rows = statement.executeQuery(sql)) {
			List<Map<String, Object>> result = new ArrayList<>();
			int columns = rows.getMetaData().getColumnCount();
			while (rows.next()) {
				Map<String, Object> row = new LinkedHashMap<>();
				for (int i = 1; i <= columns; i++) {
					row.put(rows.getMetaData().getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rows.getObject(i));
				}
				result.add(row);
			}
			return result;
		}
	}

	@Override
	public void close() throws SQLException {
		comeBack();
		admin("DROP DATABASE IF EXISTS " + this.name + " WITH (FORCE)");
	}

	private static void admin(String sql) throws SQLException {
		try (Connection connection = DriverManager.getConnection(SERVER + "postgres", USER, "");
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
		}
	}

}
