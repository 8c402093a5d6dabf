package dev.workflowkeeper.batch;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Locale;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.beans.factory.DisposableBean;

/**
 * Hands the default H2 history over cleanly when this process ends. With
 * {@code AUTO_SERVER} the first process to open the file holds it and serves it to the
 * others; when that process ended, H2 closed the database under the others, whose next
 * statement failed ("Database is already closed", "Connection is broken") and whose job
 * failed with it. The process that holds the file now keeps it open until no other
 * process uses it, at most {@code keeper.scheduling.shutdown-timeout}, then closes it
 * while new connections wait (H2's exclusive mode), so that the next process to connect
 * opens the file itself. A process that only connects to another's file has nothing to
 * do. The connection pool is closed while the database is still open: closed after it,
 * each of its connections left a "Database is already closed" error in H2's trace file.
 * <p>
 * Destroyed after the jobs of this process have stopped, before the connection pool's
 * bean, whose pool it closes itself.
 */
class SharedHistoryHost implements DisposableBean {

	private static final Log logger = LogFactory.getLog(SharedHistoryHost.class);

	private static final Duration POLL = Duration.ofMillis(100);

	private final DataSource dataSource;

	private final boolean shared;

	private final Duration timeout;

	SharedHistoryHost(DataSource dataSource, String url, Duration timeout) {
		this.dataSource = dataSource;
		this.shared = isSharedH2(url);
		this.timeout = timeout;
	}

	/** Whether {@code url} is an H2 file that other processes may share. */
	static boolean isSharedH2(String url) {
		if (url == null) {
			return false;
		}
		String upper = url.toUpperCase(Locale.ROOT);
		return upper.startsWith("JDBC:H2:") && !upper.startsWith("JDBC:H2:MEM:") && !upper.startsWith("JDBC:H2:TCP:")
				&& !upper.startsWith("JDBC:H2:SSL:") && upper.contains(";AUTO_SERVER=TRUE");
	}

	@Override
	public void destroy() {
		if (!this.shared) {
			return;
		}
		try {
			HikariDataSource pool = this.dataSource.unwrap(HikariDataSource.class);
			if (pool.isClosed() || !hostedHere(pool)) {
				return;
			}
			// A connection of its own, which outlives the pool's: the database closes
			// when it, the last one, does.
			try (Connection connection = DriverManager.getConnection(pool.getJdbcUrl(), pool.getUsername(),
					pool.getPassword()); Statement statement = connection.createStatement()) {
				awaitOtherProcesses(statement);
				pool.close();
			}
		}
		catch (SQLException ex) {
			logger.debug("Could not hand the history database over: " + ex.getMessage(), ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
	}

	/**
	 * Returns when no other process uses the database, with new connections held off
	 * (exclusive mode), or at the deadline.
	 */
	private void awaitOtherProcesses(Statement statement) throws SQLException, InterruptedException {
		long deadline = System.nanoTime() + this.timeout.toNanos();
		boolean told = false;
		while (true) {
			int others = otherProcessesSessions(statement);
			if (others == 0) {
				statement.execute("SET EXCLUSIVE 1");
				if (otherProcessesSessions(statement) == 0) {
					return;
				}
				statement.execute("SET EXCLUSIVE 0");
			}
			else if (System.nanoTime() > deadline) {
				logger.warn("Closing the history database with " + others
						+ " connections of other processes still open: they reconnect to it");
				return;
			}
			else if (!told) {
				told = true;
				logger.info("Other processes use the history database that this process holds: keeping it open until"
						+ " they end (at most " + this.timeout.toSeconds() + " s)");
			}
			Thread.sleep(POLL.toMillis());
		}
	}

	private static boolean hostedHere(DataSource pool) throws SQLException {
		try (Connection connection = pool.getConnection(); Statement statement = connection.createStatement()) {
			return hostedHere(statement);
		}
	}

	/** Whether this process holds the database file (its own session is not remote). */
	private static boolean hostedHere(Statement statement) throws SQLException {
		try (ResultSet rows = statement
			.executeQuery("SELECT CLIENT_ADDR FROM INFORMATION_SCHEMA.SESSIONS WHERE SESSION_ID = SESSION_ID()")) {
			return rows.next() && rows.getString(1) == null;
		}
	}

	private static int otherProcessesSessions(Statement statement) throws SQLException {
		try (ResultSet rows = statement
			.executeQuery("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE CLIENT_ADDR IS NOT NULL")) {
			rows.next();
			return rows.getInt(1);
		}
	}

}
