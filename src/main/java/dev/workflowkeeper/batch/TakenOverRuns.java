package dev.workflowkeeper.batch;

/**
 * What a worker does with a run it took over from a dead worker that had launched it
 * itself (a schedule slot, an HTTP launch), once the run is marked FAILED: restart it
 * from its checkpoint. Job control implements it.
 */
public interface TakenOverRuns {

	/**
	 * Restarts the FAILED execution from its last checkpoint, in the background.
	 * @param executionId the execution taken over
	 */
	void restartTakenOver(long executionId);

}
