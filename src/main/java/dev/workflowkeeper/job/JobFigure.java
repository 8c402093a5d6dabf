package dev.workflowkeeper.job;

import java.util.Map;

/**
 * One figure a job's executions leave in their job ExecutionContext, and, when it counts
 * a change the job made, the Micrometer counter it adds to.
 *
 * @param key the ExecutionContext key ({@code purge.deleted})
 * @param label how the figure reads to a person
 * @param counter the counter's name, or {@code null} when the figure feeds no counter
 * @param tags the counter's tags
 * @param description the counter's description
 */
public record JobFigure(String key, String label, String counter, Map<String, String> tags, String description) {

	/** A figure shown, not counted. */
	public static JobFigure shown(String key, String label) {
		return new JobFigure(key, label, null, Map.of(), null);
	}

	/** A figure that adds to a counter when an execution that is not a dry run ends. */
	public static JobFigure counted(String key, String label, String counter, Map<String, String> tags,
			String description) {
		return new JobFigure(key, label, counter, Map.copyOf(tags), description);
	}

}
