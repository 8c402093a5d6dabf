package dev.workflowkeeper.cli;

import java.util.Map;

import dev.workflowkeeper.pace.PaceSettings;

import picocli.CommandLine.Option;

/**
 * {@code --max-rate} and {@code --latency-budget}: the pace options of every command
 * whose job works a Redis, mixed into each. They are handed over as texts, so that the
 * job reads and refuses them as every other launch path does; an option not given takes
 * its default ({@code keeper.redis.pace.*}).
 */
public class PaceOptions {

	@Option(names = "--max-rate", paramLabel = "KEYS_PER_SECOND",
			description = { "The most keys a second the job reads or writes on one Redis; 0 for no limit.",
					"Default: keeper.redis.pace.max-rate (0 unless configured)." })
	String maxRate;

	@Option(names = "--latency-budget", paramLabel = "DURATION", description = {
			"How much the job may add to the Redis server's response time, e.g. 500us or 2ms: it slows down to stay within it; 0 turns it off.",
			"Default: keeper.redis.pace.latency-budget (250us unless configured)." })
	String latencyBudget;

	/**
	 * Puts the pace options into the options of a launch, by the job's option names:
	 * {@code null} for one not given, which takes its default.
	 * @return {@code options}
	 */
	public Map<String, Object> putInto(Map<String, Object> options) {
		options.put(PaceSettings.MAX_RATE, this.maxRate);
		options.put(PaceSettings.LATENCY_BUDGET, this.latencyBudget);
		return options;
	}

}
