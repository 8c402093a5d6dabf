package dev.workflowkeeper.scheduling;

/**
 * A schedule file that the worker cannot use. The message is the one line an operator
 * reads: the file, then what is wrong with it.
 */
public class ScheduleFileException extends IllegalArgumentException {

	ScheduleFileException(String file, String problem) {
		super(file + ": " + problem);
	}

}
