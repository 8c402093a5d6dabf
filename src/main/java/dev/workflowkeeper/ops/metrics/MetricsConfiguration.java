package dev.workflowkeeper.ops.metrics;

import java.util.List;

import dev.workflowkeeper.job.JobDefinitions;
import dev.workflowkeeper.report.ReportRepository;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.batch.core.job.Job;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication.Type;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The worker's own metrics, beside Spring Batch's {@code spring.batch.job} and
 * {@code spring.batch.step} timers (from its observations, see
 * {@code BatchObservationConfiguration}): the latest memory report as gauges and what the
 * maintenance jobs changed as counters. Only for the long-running worker; one-off
 * commands have no one to scrape them.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = Type.SERVLET)
class MetricsConfiguration {

	@Bean
	ReportGauges reportGauges(MeterRegistry registry, ReportRepository reports) {
		return new ReportGauges(registry, reports);
	}

	@Bean
	MaintenanceCounters maintenanceCounters(MeterRegistry registry, ReportGauges reportGauges, List<Job> jobs,
			JobDefinitions jobDefinitions) {
		MaintenanceCounters counters = new MaintenanceCounters(registry, reportGauges, jobDefinitions);
		counters.listenTo(jobs);
		return counters;
	}

}
