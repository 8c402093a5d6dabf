package dev.workflowkeeper.report;

import java.util.Map;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.job.JobOptionException;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.maintenance.MaintenanceStores;
import dev.workflowkeeper.pace.JobPaces;
import dev.workflowkeeper.store.StoreAddresses;
import dev.workflowkeeper.store.WorkflowStores;
import dev.workflowkeeper.store.memory.MemoryWorkflowStore;
import dev.workflowkeeper.support.WorkerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * The rules of {@link ReportParameters}, and the pace its definition keeps beside them.
 */
class ReportParametersTests {

	private static final KeeperProperties DEFAULTS = WorkerSettings.defaults().keeperProperties();

	@Test
	void shouldRoundTripThroughJobParameters() {
		ReportParameters parameters = new ReportParameters("redis://:****@h:6379/0", false);

		assertThat(ReportParameters.from(parameters.toJobParameters())).isEqualTo(parameters);
	}

	@Test
	void shouldRefuseASnapshotFileAndAValuesThatIsNotABoolean() {
		assertThatExceptionOfType(JobOptionException.class)
			.isThrownBy(() -> ReportParameters.from(new JobParametersBuilder().addString("store", "snapshot:s.json")
				.addString("values", "true")
				.toJobParameters()))
			.withMessage("reportMemoryJob: parameter store must be a redis:// store or memory:, not a snapshot file, "
					+ "which has no TTLs to maintain");
		assertThatExceptionOfType(JobOptionException.class).isThrownBy(() -> ReportParameters.from(
				new JobParametersBuilder().addString("store", "memory:").addString("values", "some").toJobParameters()))
			.withMessage("reportMemoryJob: parameter values must be true or false, not 'some'");
	}

	@Test
	void shouldAddThePaceNotIdentifyingAndTakeTheDefaultForARunRecordedBeforeIt() throws Exception {
		// given
		ReportJobDefinition definition = definition();

		// when
		JobParameters parameters = definition
			.parameters(JobOptions.of(definition, Map.of("store", "memory:", "maxRate", "2000")));
		JobParameters before = new ReportParameters("memory:", true, null).toJobParameters();

		// then
		assertThat(parameters.getLong("maxRate")).isEqualTo(2000L);
		assertThat(parameters.getString("latencyBudget")).isEqualTo("PT0.00025S");
		assertThat(parameters.getParameter("maxRate").identifying()).isFalse();
		assertThat(parameters.getParameter("latencyBudget").identifying()).isFalse();
		assertThat(ReportParameters.from(parameters)).isEqualTo(new ReportParameters("memory:", true, null));
		definition.validator().validate(before);
		assertThat(definition.optionsRenewedOnResume()).containsExactlyInAnyOrder("maxRate", "latencyBudget");
	}

	private static ReportJobDefinition definition() {
		WorkflowStores stores = new WorkflowStores(DEFAULTS, new MemoryWorkflowStore(DEFAULTS),
				new JobPaces(DEFAULTS, new StaticListableBeanFactory().getBeanProvider(MeterRegistry.class)));
		return new ReportJobDefinition(new MaintenanceStores(stores, new StoreAddresses(stores), DEFAULTS), DEFAULTS);

	}

	@Test
	void shouldKeepASampleAsOneCanonicalParameter() {
		ReportParameters percent = ReportParameters.from(new JobParametersBuilder().addString("store", "memory:")
			.addString("values", "true")
			.addString("sample", "10%")
			.toJobParameters());

		assertThat(percent.sample()).isEqualTo(new ReportSample(0.1, Long.MAX_VALUE));
		assertThat(percent.toJobParameters().getString("sample")).isEqualTo("0.1");
		assertThat(ReportParameters.from(percent.toJobParameters())).isEqualTo(percent);
		assertThat(ReportSample.parse("5000")).isEqualTo(new ReportSample(1.0, 5000));
		assertThat(ReportSample.parse("1").canonical()).isEqualTo("1");
		assertThat(ReportSample.parse("1.0").canonical()).isEqualTo("1.0");
		assertThat(ReportSample.parse("100%").canonical()).isEqualTo("1.0");
		assertThat(new ReportParameters("memory:", true).toJobParameters().getString("sample")).isNull();
	}

	@Test
	void shouldRefuseASampleThatIsNeitherAShareNorANumberOfKeys() {
		for (String sample : new String[] { "0", "0.0", "0%", "-0.1", "-5", "1.5", "150%", "2.0", "ten", "%" }) {
			assertThatExceptionOfType(JobOptionException.class)
				.isThrownBy(() -> ReportParameters.from(new JobParametersBuilder().addString("store", "memory:")
					.addString("values", "true")
					.addString("sample", sample)
					.toJobParameters()))
				.as(sample)
				.withMessage("reportMemoryJob: parameter sample must be a share of the keyspace in (0, 1] such as 0.1 "
						+ "or 10%, or a whole number of keys such as 100000, not '" + sample + "'");
		}
	}

}
