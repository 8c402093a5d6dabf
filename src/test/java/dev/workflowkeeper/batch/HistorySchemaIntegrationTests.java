package dev.workflowkeeper.batch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import javax.sql.DataSource;

import dev.workflowkeeper.support.WorkerSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.batch.autoconfigure.BatchAutoConfiguration;
import org.springframework.boot.batch.jdbc.autoconfigure.BatchJdbcAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The job history's schema is created where it is missing and left alone where it is
 * there, on the default H2 file and on PostgreSQL.
 */
class HistorySchemaIntegrationTests {

	private static final String POSTGRES = "jdbc:postgresql://127.0.0.1:5432/test";

	@TempDir
	Path tmp;

	@Test
	void shouldCreateTheH2SchemaOnceAndLeaveNoErrorTrace() {
		// given: a fresh folder
		String url = WorkerSettings.historyUrl(this.tmp);

		// when: a process starts on it, records a job, and another starts after it
		history(url).run((first) -> {
			assertThat(first).hasNotFailed();
			recordJob(first);
		});
		history(url).run((second) -> {
			// then: the schema is there, with what the first recorded
			assertThat(second).hasNotFailed();
			assertThat(HistoryDatabaseConfiguration.batchSchemaExists(second.getBean(DataSource.class))).isTrue();
			assertThat(second.getBean(JobRepository.class).getJobInstances("schemaJob", 0, 10)).hasSize(1);
		});
		// and: H2 traced no error ("Table … already exists", "Database is already
		// closed")
		assertThat(this.tmp.resolve("history.trace.db")).satisfiesAnyOf((trace) -> assertThat(trace).doesNotExist(),
				(trace) -> assertThat(Files.size(trace)).isZero());
	}

	@Test
	void shouldCreateThePostgresSchemaOnceWhereItIsMissing() {
		// given: an empty schema on PostgreSQL
		String schema = "keeper_schema_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
		assumeTrue(execute("create schema " + schema), "no PostgreSQL on 127.0.0.1:5432");
		try {
			String url = POSTGRES + "?currentSchema=" + schema;

			// when: a worker starts on it, records a job, and another starts after it
			history(url).withPropertyValues("spring.datasource.username=postgres").run((first) -> {
				assertThat(first).hasNotFailed();
				recordJob(first);
			});
			history(url).withPropertyValues("spring.datasource.username=postgres").run((second) -> {
				// then: the schema is there, with what the first recorded
				assertThat(second).hasNotFailed();
				assertThat(HistoryDatabaseConfiguration.batchSchemaExists(second.getBean(DataSource.class))).isTrue();
				assertThat(second.getBean(JobRepository.class).getJobInstances("schemaJob", 0, 10)).hasSize(1);
			});
		}
		finally {
			execute("drop schema if exists " + schema + " cascade");
		}
	}

	private static ApplicationContextRunner history(String url) {
		return new ApplicationContextRunner()
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
					BatchAutoConfiguration.class, BatchJdbcAutoConfiguration.class))
			.withUserConfiguration(HistoryDatabaseConfiguration.class)
			.withPropertyValues("spring.datasource.url=" + url, "spring.batch.jdbc.initialize-schema=always",
					"spring.batch.job.enabled=false");
	}

	private static void recordJob(org.springframework.context.ApplicationContext context) {
		JobRepository repository = context.getBean(JobRepository.class);
		repository.createJobInstance("schemaJob", new JobParametersBuilder().addLong("run", 1L).toJobParameters());
	}

	private static boolean execute(String sql) {
		try (Connection connection = DriverManager.getConnection(POSTGRES, "postgres", "");
				Statement statement = connection.createStatement()) {
			statement.execute(sql);
			return true;
		}
		catch (SQLException ex) {
			return false;
		}
	}

}
