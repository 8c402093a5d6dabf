package dev.workflowkeeper.pace;

import java.util.BitSet;
import java.util.Map;

import dev.workflowkeeper.config.KeeperProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The configured spare cores apply when a job starts (the process starts keeping off them
 * at {@code main}, from its system property or environment: {@link CoreShare#atStart}).
 */
class JobPacesTests {

	@AfterEach
	void everyCoreAgain() {
		CoreShare.configure(0);
	}

	@Test
	void shouldKeepOffTheConfiguredSpareCoreOnceAJobStarts() {
		CoreShare.configure(0);
		BitSet all = CoreShare.current();
		assumeTrue(all.cardinality() >= 2, "a machine with one core has none to spare");

		// given: the application's configuration, one core to spare
		JobPaces paces = new JobPaces(spareCores(1),
				new StaticListableBeanFactory().getBeanProvider(MeterRegistry.class));
		assertThat(CoreShare.current()).isEqualTo(all);

		// when: its first job starts
		JobExecution execution = new JobExecution(1L, new JobInstance(1L, "reportMemoryJob"), new JobParameters());
		paces.beforeJob(execution);

		// then
		BitSet narrowed = CoreShare.current();
		assertThat(narrowed.cardinality()).isEqualTo(all.cardinality() - 1);
		assertThat(narrowed.get(all.nextSetBit(0))).isFalse();
	}

	private static KeeperProperties spareCores(int spare) {
		return new Binder(new MapConfigurationPropertySource(Map.of("keeper.redis.pace.spare-cores", spare)))
			.bindOrCreate("keeper", KeeperProperties.class);
	}

}
