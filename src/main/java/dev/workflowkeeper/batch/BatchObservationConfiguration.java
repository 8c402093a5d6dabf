package dev.workflowkeeper.batch;

import java.util.Set;

import io.micrometer.observation.ObservationPredicate;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Keeps Spring Batch's observations of steps and chunks, and drops those of every single
 * item read and processed: at millions of states they cost more CPU than reading the
 * states, and the chunk observations already time the same work.
 */
@Configuration(proxyBeanMethods = false)
class BatchObservationConfiguration {

	/** Spring Batch's per-item observations (see {@code ChunkOrientedStep}). */
	static final Set<String> PER_ITEM_OBSERVATIONS = Set.of("spring.batch.item.read", "spring.batch.item.process");

	@Bean
	ObservationPredicate perItemBatchObservationsOff() {
		return (name, context) -> !PER_ITEM_OBSERVATIONS.contains(name);
	}

}
