package dev.workflowkeeper.ops;

import dev.workflowkeeper.store.StoreUri;

import org.springframework.http.HttpStatus;

/**
 * The body of every refusal of the operations endpoints and of the dashboard's routes:
 * {@code {"status": 404, "error": "Not Found", "message": "no job named 'x'; …"}}. The
 * message is one line an operator can act on, never a stack trace, with store passwords
 * masked.
 *
 * @param status the HTTP status of the answer
 * @param error the status's reason phrase
 * @param message what was refused and why
 */
public record ErrorBody(int status, String error, String message) {

	/** The body of a refusal with that status, its message masked. */
	public static ErrorBody of(int status, String message) {
		HttpStatus known = HttpStatus.resolve(status);
		return new ErrorBody(status, (known != null) ? known.getReasonPhrase() : "Error", StoreUri.mask(message));
	}

	/** The body of a request {@link JobControl} refused. */
	public static ErrorBody of(JobControlException ex) {
		return of(ex.status(), ex.getMessage());
	}

}
