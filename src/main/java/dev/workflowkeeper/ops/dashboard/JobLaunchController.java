package dev.workflowkeeper.ops.dashboard;

import java.util.Map;

import dev.workflowkeeper.ops.ErrorBody;
import dev.workflowkeeper.ops.JobControl;
import dev.workflowkeeper.ops.JobControlException;
import dev.workflowkeeper.ops.LaunchedJob;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /jobs/{job}/launch}: the dashboard's launch buttons, on the application
 * port whatever port the actuator listens on. The body, required, is a JSON object of
 * options; the answer, {@code 202}, names the execution that runs. The launch is
 * {@link JobControl}'s, as over the actuator, and so are the refusals
 * ({@link ErrorBody}). The route takes the CSRF token the page carries, and refuses a
 * browser's request from another site ({@code CrossSiteRequestFilter}): only the
 * dashboard's own page can launch through it.
 */
@RestController
class JobLaunchController {

	private final JobControl jobControl;

	JobLaunchController(JobControl jobControl) {
		this.jobControl = jobControl;
	}

	@PostMapping(path = "/jobs/{job}/launch", consumes = MediaType.APPLICATION_JSON_VALUE,
			produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<LaunchedJob> launch(@PathVariable String job, @RequestBody Map<String, Object> options) {
		LaunchedJob launched = this.jobControl.launch(job, options);
		return ResponseEntity.status(HttpStatus.ACCEPTED).body(launched);
	}

	@ExceptionHandler(JobControlException.class)
	ResponseEntity<ErrorBody> refused(JobControlException ex) {
		return error(ErrorBody.of(ex));
	}

	private static ResponseEntity<ErrorBody> error(ErrorBody body) {
		return ResponseEntity.status(body.status()).contentType(MediaType.APPLICATION_JSON).body(body);
	}

}
