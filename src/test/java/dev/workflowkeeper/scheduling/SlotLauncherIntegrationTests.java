package dev.workflowkeeper.scheduling;

import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.workflowkeeper.scheduling.SlotLauncher.Firing;
import dev.workflowkeeper.scheduling.SlotLauncher.Outcome;
import dev.workflowkeeper.scheduling.TestBatchContexts.Gate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slots fired against the JDBC job repository: once per slot, whoever fires it, and never
 * stacked. The timer itself does not fire here (the schedules of these tests are handed
 * to the launcher).
 */
class SlotLauncherIntegrationTests {

	private static final JobSchedule QUICK = new JobSchedule("quick.yml", "quickJob", true, "0 0 3 * * *",
			ZoneOffset.UTC, Map.of("dryRun", true),
			new JobParametersBuilder().addString("dryRun", "true").toJobParameters());

	private static final JobSchedule SLOW = new JobSchedule("slow.yml", "slowJob", true, "0 0 * * * *", ZoneOffset.UTC,
			Map.of(), new JobParameters());

	private static final Instant SLOT = Instant.parse("2026-01-02T03:00:00Z");

	@TempDir
	Path tmp;

	private ApplicationContextRunner worker(String url) {
		// The schedule folder is empty: the tests fire slots themselves.
		return TestBatchContexts.batch(url)
			.withUserConfiguration(SchedulingConfiguration.class)
			.withPropertyValues("keeper.scheduling.enabled=true",
					"keeper.scheduling.jobs-dir=" + this.tmp.resolve("jobs"));
	}

	@Test
	void shouldRunASlotOnceWhenItIsFiredTwice() {
		worker(TestBatchContexts.h2Url(this.tmp)).run((context) -> {
			// given
			SlotLauncher launcher = context.getBean(SlotLauncher.class);
			JobRepository repository = context.getBean(JobRepository.class);

			// when
			Firing first = launcher.fire(QUICK, SLOT);
			Firing second = launcher.fire(QUICK, SLOT);
			JobExecution execution = first.run().get(30, TimeUnit.SECONDS);
			Firing third = launcher.fire(QUICK, SLOT);

			// then
			assertThat(first.outcome()).isEqualTo(Outcome.LAUNCHED);
			assertThat(second.outcome()).isEqualTo(Outcome.ALREADY_TAKEN);
			assertThat(third.outcome()).isEqualTo(Outcome.ALREADY_TAKEN);
			assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED);
			List<JobInstance> instances = repository.getJobInstances("quickJob", 0, 10);
			assertThat(instances).hasSize(1);
			List<JobExecution> executions = repository.getJobExecutions(instances.get(0));
			assertThat(executions).singleElement().satisfies((stored) -> {
				assertThat(stored.getStatus()).isEqualTo(BatchStatus.COMPLETED);
				assertThat(stored.getJobParameters().getString(JobSchedule.SLOT)).isEqualTo("2026-01-02T03:00:00Z");
				assertThat(stored.getJobParameters().getString("dryRun")).isEqualTo("true");
			});
		});
	}

	@Test
	void shouldRunEachSlotOnceWhenTwoWorkersSharingTheHistoryFireIt() {
		String url = TestBatchContexts.h2Url(this.tmp);
		worker(url).run((first) -> worker(url).run((second) -> {
			// given: two workers on one history database, and five slots
			List<Instant> slots = new ArrayList<>();
			for (int i = 0; i < 5; i++) {
				slots.add(SLOT.plusSeconds(3600L * 24 * i));
			}

			// when: both fire every slot at the same moment
			ExecutorService threads = Executors.newFixedThreadPool(2);
			try {
				for (Instant slot : slots) {
					CyclicBarrier together = new CyclicBarrier(2);
					Future<Firing> a = threads.submit(fireTogether(first, slot, together));
					Future<Firing> b = threads.submit(fireTogether(second, slot, together));
					a.get(60, TimeUnit.SECONDS).run().handle((execution, ex) -> null).get(60, TimeUnit.SECONDS);
					b.get(60, TimeUnit.SECONDS).run().handle((execution, ex) -> null).get(60, TimeUnit.SECONDS);
				}
			}
			finally {
				threads.shutdownNow();
			}

			// then: one instance and one completed execution per slot, nothing recorded
			// twice
			JobRepository repository = first.getBean(JobRepository.class);
			List<JobInstance> instances = repository.getJobInstances("quickJob", 0, 100);
			assertThat(instances).hasSize(slots.size());
			for (Instant slot : slots) {
				JobInstance instance = repository.getJobInstance("quickJob", QUICK.parameters(slot));
				assertThat(instance).as("instance of slot %s", slot).isNotNull();
				assertThat(repository.getJobExecutions(instance)).as("executions of slot %s", slot)
					.singleElement()
					.satisfies((execution) -> assertThat(execution.getStatus()).isEqualTo(BatchStatus.COMPLETED));
			}
		}));
	}

	@Test
	void shouldRecordAnOverlappingSlotAsSkippedAndLetTheRunningOneFinish() throws Exception {
		worker(TestBatchContexts.h2Url(this.tmp)).run((context) -> {
			// given: the run of one slot still running
			SlotLauncher launcher = context.getBean(SlotLauncher.class);
			JobRepository repository = context.getBean(JobRepository.class);
			Gate gate = context.getBean(Gate.class);
			Firing running = launcher.fire(SLOW, SLOT);
			gate.awaitEntered();
			JobExecution runningExecution = repository
				.getLastJobExecution(repository.getJobInstance("slowJob", SLOW.parameters(SLOT)));

			// when: the next slot fires
			Instant next = SLOT.plusSeconds(3600);
			Firing overlapping = launcher.fire(SLOW, next);
			gate.release();
			JobExecution finished = running.run().get(30, TimeUnit.SECONDS);

			// then: the next slot is recorded as skipped, naming the running execution
			assertThat(overlapping.outcome()).isEqualTo(Outcome.SKIPPED_OVERLAP);
			JobInstance skippedInstance = repository.getJobInstance("slowJob", SLOW.parameters(next));
			assertThat(repository.getJobExecutions(skippedInstance)).singleElement().satisfies((skipped) -> {
				assertThat(skipped.getStatus()).isEqualTo(BatchStatus.ABANDONED);
				assertThat(skipped.getExitStatus().getExitCode()).isEqualTo(SlotLauncher.SKIPPED_OVERLAP);
				assertThat(skipped.getExitStatus().getExitDescription())
					.contains("execution " + runningExecution.getId());
				assertThat(skipped.getEndTime()).isNotNull();
			});
			// and the running one went on to complete
			assertThat(finished.getId()).isEqualTo(runningExecution.getId());
			assertThat(repository.getJobExecution(runningExecution.getId()).getStatus())
				.isEqualTo(BatchStatus.COMPLETED);
			assertThat(repository.getJobInstances("slowJob", 0, 10)).hasSize(2);
			// and the skipped slot is never run later
			assertThat(launcher.fire(SLOW, next).outcome()).isEqualTo(Outcome.ALREADY_TAKEN);
			assertThat(repository.getJobExecutions(skippedInstance)).hasSize(1);
		});
	}

	@Test
	void shouldRecordASlotAsSkippedWhenAnotherWorkerStillRunsTheJob() {
		String url = TestBatchContexts.h2Url(this.tmp);
		worker(url).run((first) -> worker(url).run((second) -> {
			// given: the first worker runs a slot
			Firing running = first.getBean(SlotLauncher.class).fire(SLOW, SLOT);
			first.getBean(Gate.class).awaitEntered();

			// when: the second worker fires the next slot
			Instant next = SLOT.plusSeconds(3600);
			Firing overlapping = second.getBean(SlotLauncher.class).fire(SLOW, next);
			first.getBean(Gate.class).release();
			running.run().get(30, TimeUnit.SECONDS);

			// then
			assertThat(overlapping.outcome()).isEqualTo(Outcome.SKIPPED_OVERLAP);
			JobRepository repository = second.getBean(JobRepository.class);
			JobExecution skipped = repository
				.getLastJobExecution(repository.getJobInstance("slowJob", SLOW.parameters(next)));
			assertThat(skipped.getExitStatus().getExitCode()).isEqualTo(SlotLauncher.SKIPPED_OVERLAP);
			assertThat(repository.getLastJobExecution(repository.getJobInstance("slowJob", SLOW.parameters(SLOT)))
				.getStatus()).isEqualTo(BatchStatus.COMPLETED);
		}));
	}

	private static Callable<Firing> fireTogether(ApplicationContext context, Instant slot, CyclicBarrier together) {
		return () -> {
			together.await(30, TimeUnit.SECONDS);
			return context.getBean(SlotLauncher.class).fire(QUICK, slot);
		};
	}

}
