package dev.workflowkeeper.ops.dashboard;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.workflowkeeper.ops.JobControl;
import dev.workflowkeeper.ops.JobControlException;
import dev.workflowkeeper.ops.LaunchedJob;
import dev.workflowkeeper.store.StoreUri;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /jobs/{job}/launch}: the dashboard's launch buttons, on the application
 * port whatever port the actuator listens on. The body is a JSON object of options (job
 * parameters); the answer, {@code 202}, names the execution that runs. The launch is
 * {@link JobControl}'s, as over the actuator, and so are the refusals ({@code {"status",
 * "error", "message"}}). Only JSON is accepted, which no form of another site can send,
 * so the route needs no CSRF token.
 */
@RestController
class JobLaunchController {

	private final JobControl jobControl;

	JobLaunchController(JobControl jobControl) {
		this.jobControl = jobControl;
	}

	@PostMapping(path = "/jobs/{job}/launch", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Map<String, Object>> launch(@PathVariable String job,
			@RequestBody(required = false) Map<String, Object> options) {
		LaunchedJob launched = this.jobControl.launch(job, (options != null) ? options : Map.of());
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("job", launched.job());
		body.put("executionId", launched.executionId());
		body.put("status", launched.status());
		return ResponseEntity.status(HttpStatus.ACCEPTED).body(body);
	}

	@ExceptionHandler(JobControlException.class)
	ResponseEntity<Map<String, Object>> refused(JobControlException ex) {
		HttpStatus status = HttpStatus.resolve(ex.status());
		return error((status != null) ? status : HttpStatus.BAD_REQUEST, StoreUri.mask(ex.getMessage()));
	}

	@ExceptionHandler(HttpMessageNotReadableException.class)
	ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException ex) {
		return error(HttpStatus.BAD_REQUEST, "the options must be one JSON object, e.g. {\"dryRun\": \"true\"}");
	}

	private static ResponseEntity<Map<String, Object>> error(HttpStatus status, String message) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("status", status.value());
		body.put("error", status.getReasonPhrase());
		body.put("message", message);
		return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body);
	}

}
