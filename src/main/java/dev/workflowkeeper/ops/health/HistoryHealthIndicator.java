package dev.workflowkeeper.ops.health;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import dev.workflowkeeper.batch.WorkerRegistry;
import dev.workflowkeeper.batch.WorkerRegistry.HistoryState;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * Whether the history database takes this worker's heartbeats: DOWN as soon as one fails,
 * or is later than two heartbeat intervals (one waiting on a connection that does not
 * come), without opening a connection of its own, so that the readiness probe answers at
 * once while the database is unreachable. UNKNOWN before the first heartbeat.
 */
class HistoryHealthIndicator implements HealthIndicator {

	private final WorkerRegistry workers;

	private final Clock clock;

	HistoryHealthIndicator(WorkerRegistry workers, Clock clock) {
		this.workers = workers;
		this.clock = clock;
	}

	@Override
	public Health health() {
		HistoryState state = this.workers.historyState();
		Health.Builder health = Health.unknown().withDetail("worker", this.workers.id());
		if (state.lastHeartbeat() != null) {
			health.withDetail("lastHeartbeat", state.lastHeartbeat().toString());
		}
		if (!state.reachable()) {
			if (state.lastFailure() == null) {
				return health.build();
			}
			return health.down().withDetail("error", state.failure()).build();
		}
		Duration late = this.workers.properties().heartbeatInterval().multipliedBy(2).plusSeconds(1);
		if (state.lastHeartbeat().plus(late).isBefore(Instant.now(this.clock))) {
			return health.down()
				.withDetail("error", "no heartbeat recorded for more than " + late.toSeconds() + " s")
				.build();
		}
		return health.up().build();
	}

}
