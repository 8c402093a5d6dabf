package dev.workflowkeeper.retention;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long the worker keeps what it leaves behind, bound from {@code keeper.retention}.
 *
 * @param history a job instance is deleted from the history once all its executions ended
 * this long ago
 * @param archives a file under the archive/ or rejects/ folder of the data directory is
 * deleted once it was last modified this long ago
 * @param batchSize job instances judged (and deleted) per transaction
 */
@ConfigurationProperties("keeper.retention")
public record RetentionProperties(@DefaultValue("30d") Duration history, @DefaultValue("30d") Duration archives,
		@DefaultValue("100") int batchSize) {
}
