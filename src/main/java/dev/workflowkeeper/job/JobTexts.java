package dev.workflowkeeper.job;

import java.time.Duration;
import java.util.List;
import java.util.StringJoiner;

import dev.workflowkeeper.cli.HumanUnits;

import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * Figures, sizes and durations as a person reads them in the line history shows of an
 * execution ({@link JobDefinition#describe}, {@link JobDefinition#outcome}).
 */
public final class JobTexts {

	private JobTexts() {
	}

	/** {@code 5,007}. */
	public static String count(long count) {
		return HumanUnits.count(count);
	}

	/** {@code 812 B}, {@code 7.5 MiB}. */
	public static String bytes(long bytes) {
		return HumanUnits.bytes(bytes);
	}

	/**
	 * A duration as the options take it: {@code 48h}, {@code 30m}, {@code 90s}.
	 */
	public static String duration(Duration duration) {
		long seconds = duration.toSeconds();
		if (seconds > 0 && seconds % 3600 == 0) {
			return (seconds / 3600) + "h";
		}
		if (seconds > 0 && seconds % 60 == 0) {
			return (seconds / 60) + "m";
		}
		return seconds + "s";
	}

	/** A figure of an execution's job ExecutionContext, 0 when it left none. */
	public static long figure(ExecutionContext context, String key) {
		return (context.get(key) instanceof Number number) ? number.longValue() : 0;
	}

	/**
	 * The declared figures an execution left, as declared:
	 * {@code checked 3,000, capped 2}.
	 */
	public static String figures(List<JobFigure> figures, ExecutionContext context) {
		StringJoiner line = new StringJoiner(", ");
		for (JobFigure figure : figures) {
			if (context.get(figure.key()) instanceof Number number) {
				line.add(figure.label() + " " + count(number.longValue()));
			}
		}
		return line.toString();
	}

}
