package dev.workflowkeeper.ops;

import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Answers a request body that is not JSON — on the actuator's launch ({@code POST
 * /actuator/workflowjobs/{job}}) as on the dashboard's — with a 400 whose
 * {@link ErrorBody} says where the JSON broke and what is expected, instead of a 400
 * without a word.
 */
@RestControllerAdvice
class UnreadableBodyAdvice {

	@ExceptionHandler(HttpMessageNotReadableException.class)
	ResponseEntity<ErrorBody> unreadable(HttpMessageNotReadableException ex) {
		ErrorBody body = ErrorBody.of(HttpStatus.BAD_REQUEST.value(), message(ex));
		return ResponseEntity.status(body.status()).contentType(MediaType.APPLICATION_JSON).body(body);
	}

	static String message(HttpMessageNotReadableException ex) {
		String where = "";
		for (Throwable t = ex; t != null; t = t.getCause()) {
			if (t instanceof JacksonException json) {
				TokenStreamLocation location = json.getLocation();
				if (location != null && location.getLineNr() > 0) {
					where = " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
				}
				break;
			}
		}
		return "the body is not a JSON object" + where
				+ ": the options must be one JSON object, e.g. {\"dryRun\": true}, or {} for the defaults";
	}

}
