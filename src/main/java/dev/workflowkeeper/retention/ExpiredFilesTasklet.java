package dev.workflowkeeper.retention;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.step.StepContribution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;

/**
 * Deletes the regular files under the given folders (archives, rejects reports) that were
 * last modified before a cut-off. Folders themselves and symbolic links are left alone; a
 * missing folder has nothing to delete. The count goes to the job's ExecutionContext
 * ({@value #DELETED}). Deleting again is harmless, so a restart simply starts over.
 */
class ExpiredFilesTasklet implements Tasklet {

	/** Job ExecutionContext key: files deleted (or that a dry run would delete). */
	static final String DELETED = "prune.filesDeleted";

	private static final Log logger = LogFactory.getLog(ExpiredFilesTasklet.class);

	private final List<Path> folders;

	private final Instant cutoff;

	private final boolean dryRun;

	ExpiredFilesTasklet(List<Path> folders, Instant cutoff, boolean dryRun) {
		this.folders = List.copyOf(folders);
		this.cutoff = cutoff;
		this.dryRun = dryRun;
	}

	@Override
	public RepeatStatus execute(StepContribution contribution, ChunkContext chunkContext) throws IOException {
		long deleted = 0;
		for (Path folder : this.folders) {
			if (!Files.isDirectory(folder)) {
				continue;
			}
			List<Path> expired;
			try (Stream<Path> files = Files.walk(folder)) {
				expired = files.filter(this::expired).toList();
			}
			for (Path file : expired) {
				// Judged again at delete time: a file written to meanwhile is kept.
				if (!expired(file)) {
					continue;
				}
				if (!this.dryRun) {
					Files.deleteIfExists(file);
				}
				deleted++;
			}
		}
		ExecutionContext counts = chunkContext.getStepContext()
			.getStepExecution()
			.getJobExecution()
			.getExecutionContext();
		counts.putLong(DELETED, deleted);
		contribution.incrementWriteCount(deleted);
		if (deleted > 0) {
			logger.info((this.dryRun ? "Would delete " : "Deleted ") + deleted + " file(s) last modified before "
					+ this.cutoff + " under " + this.folders);
		}
		return RepeatStatus.FINISHED;
	}

	private boolean expired(Path path) {
		try {
			BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class,
					LinkOption.NOFOLLOW_LINKS);
			return attributes.isRegularFile() && attributes.lastModifiedTime().toInstant().isBefore(this.cutoff);
		}
		catch (NoSuchFileException ex) {
			return false;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
