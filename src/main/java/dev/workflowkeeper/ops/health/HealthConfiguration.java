package dev.workflowkeeper.ops.health;

import java.time.Clock;

import dev.workflowkeeper.batch.HistoryQueries;
import dev.workflowkeeper.batch.WorkerRegistry;
import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.scheduling.ScheduleRegistry;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The worker's own health indicators: {@code redis} (the default store's Redis),
 * {@code workflowJobs} (the scheduled jobs) and {@code history} (the history database as
 * the worker's heartbeats meet it, which readiness uses rather than Boot's {@code db}
 * indicator: that one waits up to the pool's connection timeout while the database is
 * unreachable). The bean name {@code redisHealthIndicator} makes Boot's own Redis
 * indicator back off: it would check the Spring Data connection factory (localhost:6379),
 * which the worker never uses.
 */
@Configuration(proxyBeanMethods = false)
class HealthConfiguration {

	@Bean
	RedisHealthIndicator redisHealthIndicator(KeeperProperties properties) {
		return new RedisHealthIndicator(properties);
	}

	@Bean
	HistoryHealthIndicator historyHealthIndicator(WorkerRegistry workerRegistry) {
		return new HistoryHealthIndicator(workerRegistry, Clock.systemUTC());
	}

	@Bean
	WorkflowJobsHealthIndicator workflowJobsHealthIndicator(ObjectProvider<ScheduleRegistry> schedules,
			HistoryQueries historyQueries) {
		Clock clock = Clock.systemUTC();
		return new WorkflowJobsHealthIndicator(() -> {
			ScheduleRegistry registry = schedules.getIfAvailable();
			return (registry != null) ? registry.schedules() : null;
		}, historyQueries, clock, clock.instant());
	}

}
