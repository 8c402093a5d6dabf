package dev.workflowkeeper.migration;

import java.util.Map;

import dev.workflowkeeper.migration.verify.VerificationResult;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * What one migration did, as stored in its job's ExecutionContext.
 *
 * @param read records read from the source (accepted, rejected and expired)
 * @param written states written to the target (or that a dry run would write)
 * @param keptExisting states the target already held and kept under the conflict policy
 * @param expired states past their expiry, not written
 * @param filtered states left behind by the filters
 * @param rejected malformed records, in the rejects file
 * @param rejectsFile where the rejects are, or empty
 * @param verification the verification figures, or {@code null} when it did not run
 */
public record MigrationCounts(long read, long written, long keptExisting, long expired, long filtered, long rejected,
		String rejectsFile, VerificationResult verification) {

	static final String READ = "migrate.read";

	static final String WRITTEN = "migrate.written";

	static final String KEPT_EXISTING = "migrate.keptExisting";

	static final String EXPIRED = "migrate.expired";

	static final String FILTERED = "migrate.filtered";

	static final String REJECTED = "migrate.rejected";

	static final String REJECTS_FILE = "migrate.rejectsFile";

	/** Prefix of the verification figures in the job's ExecutionContext. */
	public static final String VERIFY_PREFIX = "verify.";

	public static MigrationCounts of(JobExecution execution) {
		ExecutionContext context = execution.getExecutionContext();
		VerificationResult verification = null;
		if (context.containsKey(VERIFY_PREFIX + "expected")) {
			Map<String, Object> figures = new java.util.LinkedHashMap<>();
			for (Map.Entry<String, Object> entry : context.entrySet()) {
				if (entry.getKey().startsWith(VERIFY_PREFIX)) {
					figures.put(entry.getKey().substring(VERIFY_PREFIX.length()), entry.getValue());
				}
			}
			verification = VerificationResult.fromMap(figures);
		}
		return new MigrationCounts(context.getLong(READ, 0), context.getLong(WRITTEN, 0),
				context.getLong(KEPT_EXISTING, 0), context.getLong(EXPIRED, 0), context.getLong(FILTERED, 0),
				context.getLong(REJECTED, 0), context.getString(REJECTS_FILE, ""), verification);
	}

	/** Accepted records: read less rejected and expired. */
	public long accepted() {
		return this.read - this.rejected - this.expired;
	}

}
