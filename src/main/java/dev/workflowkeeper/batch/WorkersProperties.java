package dev.workflowkeeper.batch;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the workers that share one history database, bound from
 * {@code keeper.workers}.
 *
 * @param heartbeatInterval how often a worker records in the history that it is alive
 * (and settles the executions it no longer runs); after a failure it retries sooner than
 * a survivor takes its runs over, backing off up to four intervals
 * @param takeoverAfter how long a worker may go without a heartbeat before a survivor
 * marks its running executions FAILED and restarts those the worker launched itself
 * (schedule slots, HTTP launches): several heartbeats, so that a busy or paused worker is
 * not taken for dead
 */
@ConfigurationProperties("keeper.workers")
public record WorkersProperties(@DefaultValue("2s") Duration heartbeatInterval,
		@DefaultValue("30s") Duration takeoverAfter) {

	public WorkersProperties {
		if (heartbeatInterval == null || heartbeatInterval.isZero() || heartbeatInterval.isNegative()) {
			throw new IllegalArgumentException("keeper.workers.heartbeat-interval must be positive");
		}
		if (takeoverAfter == null || takeoverAfter.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
			throw new IllegalArgumentException(
					"keeper.workers.takeover-after must be at least twice keeper.workers.heartbeat-interval");
		}
	}

}
