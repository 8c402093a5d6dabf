package dev.workflowkeeper.job;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.springframework.stereotype.Component;

/**
 * Every job the worker knows, discovered from the {@link JobDefinition} beans, by name.
 */
@Component
public class JobDefinitions {

	private final Map<String, JobDefinition> byName = new TreeMap<>();

	public JobDefinitions(List<JobDefinition> definitions) {
		for (JobDefinition definition : definitions) {
			JobDefinition other = this.byName.putIfAbsent(definition.name(), definition);
			if (other != null) {
				throw new IllegalStateException("two job definitions named " + definition.name() + ": "
						+ other.getClass().getName() + " and " + definition.getClass().getName());
			}
		}
	}

	/** Every definition, by name. */
	public List<JobDefinition> all() {
		return List.copyOf(this.byName.values());
	}

	/** The names of every job, sorted. */
	public List<String> names() {
		return List.copyOf(this.byName.keySet());
	}

	/** The definition of a job, if there is one. */
	public Optional<JobDefinition> find(String name) {
		return Optional.ofNullable((name != null) ? this.byName.get(name) : null);
	}

	/**
	 * The definition of a job.
	 * @throws UnknownJobNameException when there is none
	 */
	public JobDefinition get(String name) {
		return find(name).orElseThrow(() -> new UnknownJobNameException(
				"no job named '" + name + "'; known jobs: " + String.join(", ", this.byName.keySet())));
	}

	/**
	 * The identifying parameters of a launch of {@code name} with {@code options} (the
	 * job's options by name, values as a command line, JSON or YAML gives them).
	 * @throws UnknownJobNameException no such job
	 * @throws JobOptionException an unknown option, a value of the wrong kind, or one the
	 * rules refuse
	 */
	public org.springframework.batch.core.job.parameters.JobParameters parameters(String name, Map<String, ?> options) {
		JobDefinition definition = get(name);
		return definition.parameters(JobOptions.of(definition, options));
	}

	/** No job of that name. */
	public static class UnknownJobNameException extends IllegalArgumentException {

		UnknownJobNameException(String message) {
			super(message);
		}

	}

}
