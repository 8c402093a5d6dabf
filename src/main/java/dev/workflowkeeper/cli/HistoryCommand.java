package dev.workflowkeeper.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import dev.workflowkeeper.batch.ExecutionHistory.ExecutionSummary;
import dev.workflowkeeper.batch.ExecutionHistory;

import org.springframework.context.ConfigurableApplicationContext;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code history}: prints recent job executions from the history database; its
 * subcommands control one.
 */
@Command(name = "history", mixinStandardHelpOptions = true, sortOptions = false, description = {
		"Print recent job executions, newest first: what each did, in its job's own figures.",
		"Secrets in parameters are masked. The subcommands stop, restart and abandon act on one execution by its id." },
		footer = { "", "Examples:", "  history --limit 50", "  history --format json", "  history restart 42" },
		subcommands = { HistoryControlCommands.Stop.class, HistoryControlCommands.Restart.class,
				HistoryControlCommands.Abandon.class })
class HistoryCommand implements Callable<Integer> {

	/** Output formats. */
	enum Format {

		table, json

	}

	private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

	private final Boot boot;

	@Option(names = "--limit", defaultValue = "20", paramLabel = "N",
			description = "How many executions to print, newest first. Default: ${DEFAULT-VALUE}.")
	int limit;

	@Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT",
			description = "Output format: table, or json (one array on stdout, with every parameter and figure). Default: ${DEFAULT-VALUE}.")
	Format format;

	HistoryCommand(Boot boot) {
		this.boot = boot;
	}

	@Override
	public Integer call() {
		if (this.limit <= 0) {
			throw new UserFacingException(KeeperCommandLine.USAGE, "--limit must be a positive number");
		}
		try (ConfigurableApplicationContext context = this.boot.oneOff()) {
			List<ExecutionSummary> executions = context.getBean(ExecutionHistory.class).recent(this.limit);
			PrintWriter out = this.boot.out();
			if (this.format == Format.json) {
				out.println(JsonMapper.builder().findAndAddModules().build().writeValueAsString(toJson(executions)));
			}
			else {
				printTable(out, executions);
			}
			out.flush();
			return KeeperCommandLine.OK;
		}
	}

	private static List<Map<String, Object>> toJson(List<ExecutionSummary> executions) {
		List<Map<String, Object>> rows = new ArrayList<>();
		for (ExecutionSummary e : executions) {
			Map<String, Object> row = new LinkedHashMap<>();
			row.put("id", e.id());
			row.put("job", e.job());
			row.put("parameters", e.parameters());
			row.put("status", e.status());
			row.put("exitCode", e.exitCode());
			row.put("exitDescription", e.exitDescription());
			row.put("read", e.read());
			row.put("written", e.written());
			row.put("skipped", e.skipped());
			row.put("filtered", e.filtered());
			row.put("start", (e.start() != null) ? e.start().toString() : null);
			row.put("end", (e.end() != null) ? e.end().toString() : null);
			row.put("durationMillis", (e.duration() != null) ? e.duration().toMillis() : null);
			row.put("figures", e.figures());
			row.put("outcome", e.outcome());
			row.put("description", e.description());
			rows.add(row);
		}
		return rows;
	}

	private static void printTable(PrintWriter out, List<ExecutionSummary> executions) {
		if (executions.isEmpty()) {
			out.println("No job executions yet.");
			return;
		}
		List<String[]> rows = new ArrayList<>();
		rows.add(new String[] { "ID", "JOB", "STATUS", "EXIT", "START", "DURATION", "FIGURES", "DESCRIPTION" });
		for (ExecutionSummary e : executions) {
			rows.add(new String[] { Long.toString(e.id()), e.job(), e.status(), e.exitCode(),
					(e.start() != null) ? TIME.format(e.start()) : "-", format(e.duration()), figures(e),
					description(e) });
		}
		int[] widths = new int[rows.get(0).length];
		for (String[] row : rows) {
			for (int i = 0; i < row.length - 1; i++) {
				widths[i] = Math.max(widths[i], row[i].length());
			}
		}
		for (String[] row : rows) {
			StringBuilder line = new StringBuilder();
			for (int i = 0; i < row.length; i++) {
				line.append((i < row.length - 1) ? String.format("%-" + widths[i] + "s  ", row[i]) : row[i]);
			}
			out.println(line.toString().stripTrailing());
		}
	}

	/**
	 * The job's own figures; for a job no definition tells, the figures it left by their
	 * keys.
	 */
	private static String figures(ExecutionSummary e) {
		if (!e.outcome().isEmpty()) {
			return e.outcome();
		}
		return e.figures()
			.entrySet()
			.stream()
			.map((figure) -> figure.getKey() + " " + figure.getValue())
			.collect(Collectors.joining(", "));
	}

	/**
	 * What the execution was asked to do and, when it failed, why; for a job no
	 * definition tells, its exit description.
	 */
	private static String description(ExecutionSummary e) {
		return e.description().isEmpty() ? oneLine(e.exitDescription()) : e.description();
	}

	private static String oneLine(String text) {
		if (text == null || text.isBlank()) {
			return "";
		}
		String first = text.lines().findFirst().orElse("");
		return (first.length() > 160) ? first.substring(0, 157) + "..." : first;
	}

	private static String format(Duration duration) {
		if (duration == null) {
			return "-";
		}
		long seconds = duration.toSeconds();
		return (seconds >= 3600) ? String.format("%dh%02dm", seconds / 3600, (seconds % 3600) / 60)
				: (seconds >= 60) ? String.format("%dm%02ds", seconds / 60, seconds % 60)
						: String.format("%.1fs", duration.toMillis() / 1000.0);
	}

}
