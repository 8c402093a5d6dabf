package dev.workflowkeeper.testjob;

import java.util.List;
import java.util.Map;

import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobFigure;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.job.OptionType;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;

/**
 * A job that exists only in the test sources, to prove that a job registers itself from
 * its own package: present when {@code keeper.test.countdown-job} is true.
 */
@Component
@ConditionalOnBooleanProperty(CountdownJobDefinition.ENABLED)
class CountdownJobDefinition implements JobDefinition {

	static final String NAME = "countdownJob";

	static final String ENABLED = "keeper.test.countdown-job";

	static final String COUNTED = "countdown.counted";

	static final String COUNTER = "workflowkeeper.test.countdown";

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public String title() {
		return "Count down from a number (a job of the tests)";
	}

	@Override
	public List<JobOption> options() {
		return List.of(
				JobOption.of(CountdownParameters.FROM, OptionType.WHOLE, "3", "where the countdown starts, 1 to 1000"),
				JobOption.of(CountdownParameters.DRY_RUN, OptionType.BOOLEAN, "false", "count nothing"));
	}

	@Override
	public JobParameters parameters(JobOptions options) {
		return CountdownParameters.of(options, true).toJobParameters();
	}

	@Override
	public void validate(JobParameters parameters) {
		CountdownParameters.from(parameters);
	}

	@Override
	public List<JobFigure> figures() {
		return List
			.of(JobFigure.counted(COUNTED, "counted", COUNTER, Map.of(), "Numbers the countdown test job counted"));
	}

}
