package dev.workflowkeeper.scheduling;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Tells a worker that will not start because of a schedule file as what it is — the file
 * and what is wrong with it, and what to do — instead of a stack trace. The command line
 * still ends with its one {@code error:} line.
 */
class ScheduleFileFailureAnalyzer extends AbstractFailureAnalyzer<ScheduleFileException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, ScheduleFileException cause) {
		return new FailureAnalysis(cause.getMessage(),
				"Mend the schedule file (jobs/README.md gives the format; 'workflow-keeper jobs' lists each job's options), "
						+ "then start the worker again. Nothing has run.",
				cause);
	}

}
