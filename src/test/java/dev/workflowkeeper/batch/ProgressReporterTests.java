package dev.workflowkeeper.batch;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.step.StepExecution;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress line, with the pace the step runs at when one applies. */
class ProgressReporterTests {

	@Test
	void shouldShowThePaceAfterTheCounts() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		ProgressReporter progress = new ProgressReporter("report", 1_000, true,
				new PrintStream(bytes, true, StandardCharsets.UTF_8))
			.showing(() -> "pace ≤ 10,000 keys/s; probe p50 0.12 ms p99 0.31 ms");
		StepExecution step = step();
		progress.beforeStep(step);
		for (int i = 0; i < 1_000; i++) {
			progress.afterRead("key");
		}
		progress.afterStep(step);
		assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("1,000/~1,000 100.0%")
			.contains(" · pace ≤ 10,000 keys/s; probe p50 0.12 ms p99 0.31 ms");
	}

	@Test
	void shouldShowNothingMoreWithoutAPace() {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		ProgressReporter progress = new ProgressReporter("report", 10, true,
				new PrintStream(bytes, true, StandardCharsets.UTF_8));
		StepExecution step = step();
		progress.beforeStep(step);
		progress.afterRead("key");
		progress.afterStep(step);
		assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("·");
	}

	private static StepExecution step() {
		JobExecution job = new JobExecution(1L, new JobInstance(1L, "reportMemoryJob"), new JobParameters());
		return new StepExecution(1L, "reportScanStep", job);
	}

}
