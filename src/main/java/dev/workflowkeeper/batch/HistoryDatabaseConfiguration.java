package dev.workflowkeeper.batch;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchDataSourceScriptDatabaseInitializer;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.sql.init.AbstractScriptDatabaseInitializer.Scripts;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;
import org.springframework.core.env.Environment;

/**
 * The job history database as several processes share it: its schema is created only
 * where it is missing, and a process that finds the default H2 file busy (another process
 * opening it or handing it over, see {@link SharedHistoryHost}) waits for it instead of
 * failing.
 */
@Configuration(proxyBeanMethods = false)
class HistoryDatabaseConfiguration {

	/** How long a process waits for an H2 history file that another process holds. */
	static final Duration OPEN_TIMEOUT = Duration.ofSeconds(60);

	private static final long HIKARI_DEFAULT_FAIL_TIMEOUT = 1;

	/**
	 * Spring Batch's schema script, run only when its tables are absent: run on every
	 * start it fails statement by statement, and H2 records each failure in its trace
	 * file.
	 */
	@Bean
	BatchDataSourceScriptDatabaseInitializer batchDataSourceInitializer(DataSource dataSource,
			BatchJdbcProperties properties) {
		return new BatchDataSourceScriptDatabaseInitializer(dataSource, properties) {

			@Override
			protected void runScripts(Scripts scripts) {
				if (!batchSchemaExists(getDataSource())) {
					super.runScripts(scripts);
				}
			}

		};
	}

	/**
	 * Opening an H2 file in AUTO_SERVER mode fails for a moment while another process
	 * opens it or closes it ("Locked by another process", "Lock file recently modified"):
	 * the pool retries its first connection for a while instead of failing.
	 */
	@Bean
	static BeanPostProcessor sharedH2HistoryOpening() {
		return new BeanPostProcessor() {

			@Override
			public Object postProcessBeforeInitialization(Object bean, String beanName) {
				// Unless spring.datasource.hikari.initialization-fail-timeout says
				// otherwise
				if (bean instanceof HikariDataSource hikari && SharedHistoryHost.isSharedH2(hikari.getJdbcUrl())
						&& hikari.getInitializationFailTimeout() == HIKARI_DEFAULT_FAIL_TIMEOUT) {
					hikari.setInitializationFailTimeout(OPEN_TIMEOUT.toMillis());
				}
				return bean;
			}

		};
	}

	/**
	 * Created at start even where beans are created lazily (one-off commands): nothing
	 * uses it, its work is done when the application closes.
	 */
	@Bean
	@Lazy(false)
	SharedHistoryHost sharedHistoryHost(DataSource dataSource, Environment environment) {
		Binder binder = Binder.get(environment);
		return new SharedHistoryHost(dataSource, binder.bind("spring.datasource.url", String.class).orElse(""),
				binder.bind("keeper.scheduling.shutdown-timeout", Duration.class).orElse(Duration.ofSeconds(30)));
	}

	static boolean batchSchemaExists(DataSource dataSource) {
		try (Connection connection = dataSource.getConnection()) {
			DatabaseMetaData metaData = connection.getMetaData();
			String schema = connection.getSchema();
			for (String table : new String[] { "BATCH_JOB_INSTANCE", "batch_job_instance" }) {
				try (ResultSet tables = metaData.getTables(null, schema, table, null)) {
					if (tables.next()) {
						return true;
					}
				}
			}
			return false;
		}
		catch (SQLException ex) {
			throw new IllegalStateException("Could not tell whether the job history schema exists: " + ex.getMessage(),
					ex);
		}
	}

}
