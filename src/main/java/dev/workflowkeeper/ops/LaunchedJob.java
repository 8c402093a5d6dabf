package dev.workflowkeeper.ops;

/**
 * A run that {@link JobControl} launched or restarted: it goes on in the background.
 *
 * @param job the job's name
 * @param executionId the id of its execution in the history
 * @param status the execution's status when it was answered (usually STARTING or STARTED)
 */
public record LaunchedJob(String job, long executionId, String status) {
}
