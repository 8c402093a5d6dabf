package dev.workflowkeeper.scheduling;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import dev.workflowkeeper.job.JobDefinitions;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.scheduling.support.CronExpression;

/**
 * Reads the schedule files of a folder ({@code *.yml} and {@code *.yaml}, one job each)
 * and validates them against the Job beans that exist. Any error stops the worker with
 * one line naming the file; a disabled schedule of a job that does not exist (yet) is
 * only skipped with a warning.
 */
final class JobScheduleFiles {

	private static final Log logger = LogFactory.getLog(JobScheduleFiles.class);

	private static final Set<String> KEYS = Set.of("job", "enabled", "schedule", "zone", "options");

	/**
	 * Read cron expressions in UTC unless told otherwise, so that workers in any zone
	 * agree on slots.
	 */
	static final ZoneId DEFAULT_ZONE = ZoneOffset.UTC;

	private JobScheduleFiles() {
	}

	/**
	 * The schedules of a folder, sorted by file name.
	 * @param dir the folder; a missing one holds no schedule
	 * @param jobs the jobs that exist; each schedule's options are read and checked by
	 * its job's definition, as every launch path reads them
	 * @throws ScheduleFileException when a file is unreadable, invalid, names a job that
	 * does not exist while enabled, gives options its job refuses, or schedules a job
	 * that another file already schedules
	 */
	static List<JobSchedule> load(Path dir, JobDefinitions jobs) {
		Set<String> jobNames = new TreeSet<>(jobs.names());
		if (!Files.isDirectory(dir)) {
			logger.warn("No schedule folder at " + dir.toAbsolutePath().normalize() + ": no job is scheduled");
			return List.of();
		}
		List<JobSchedule> schedules = new ArrayList<>();
		Map<String, String> fileOfJob = new LinkedHashMap<>();
		for (Path path : files(dir)) {
			String file = dir.resolve(path.getFileName()).toString();
			ParsedFile parsed = parse(file, path);
			if (!jobNames.contains(parsed.job())) {
				if (parsed.enabled()) {
					throw new ScheduleFileException(file,
							"no job named '" + parsed.job() + "' (known jobs: " + String.join(", ", jobNames) + ")");
				}
				logger.warn(file + ": skipped, disabled schedule of a job that does not exist: " + parsed.job());
				continue;
			}
			JobParameters parameters;
			try {
				parameters = jobs.parameters(parsed.job(), parsed.options());
			}
			catch (IllegalArgumentException ex) {
				throw new ScheduleFileException(file, ex.getMessage());
			}
			JobSchedule schedule = new JobSchedule(parsed.file(), parsed.job(), parsed.enabled(), parsed.schedule(),
					parsed.zone(), parsed.options(), parameters);
			String other = fileOfJob.putIfAbsent(schedule.job(), file);
			if (other != null) {
				throw new ScheduleFileException(file, "job '" + schedule.job() + "' is already scheduled by " + other);
			}
			schedules.add(schedule);
		}
		return List.copyOf(schedules);
	}

	private static List<Path> files(Path dir) {
		try (Stream<Path> paths = Files.list(dir)) {
			return paths.filter(Files::isRegularFile).filter((path) -> {
				String name = path.getFileName().toString();
				return name.endsWith(".yml") || name.endsWith(".yaml");
			}).sorted().toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException("Cannot list the schedule folder " + dir, ex);
		}
	}

	/**
	 * One schedule file as written, its options not yet read by the job.
	 *
	 * @param file the file, as named in messages
	 * @param job the job it schedules
	 * @param enabled whether the timer fires it
	 * @param schedule the cron expression
	 * @param zone the zone the expression is read in
	 * @param options the options as the file gives them
	 */
	record ParsedFile(String file, String job, boolean enabled, String schedule, ZoneId zone,
			Map<String, Object> options) {
	}

	/** Reads and validates one file, without looking at the jobs that exist. */
	static ParsedFile parse(String file, Path path) {
		Object document;
		try (Reader reader = Files.newBufferedReader(path)) {
			document = new Yaml(new SafeConstructor(new LoaderOptions())).load(reader);
		}
		catch (MarkedYAMLException ex) {
			throw new ScheduleFileException(file, "not valid YAML: " + ex.getProblem() + " (line "
					+ (ex.getProblemMark().getLine() + 1) + ", column " + (ex.getProblemMark().getColumn() + 1) + ")");
		}
		catch (YAMLException ex) {
			throw new ScheduleFileException(file, "not valid YAML: " + firstLine(ex.getMessage()));
		}
		catch (IOException ex) {
			throw new ScheduleFileException(file, "cannot be read: " + ex.getMessage());
		}
		if (!(document instanceof Map<?, ?> map)) {
			throw new ScheduleFileException(file,
					"expected a mapping with the keys job, enabled, schedule, zone, options");
		}
		for (Object key : map.keySet()) {
			if (!KEYS.contains(String.valueOf(key))) {
				throw new ScheduleFileException(file,
						"unknown key '" + key + "' (expected job, enabled, schedule, zone, options)");
			}
		}
		String job = text(file, map, "job", true);
		String schedule = text(file, map, "schedule", true);
		try {
			CronExpression.parse(schedule);
		}
		catch (IllegalArgumentException ex) {
			throw new ScheduleFileException(file, "bad schedule '" + schedule + "': " + firstLine(ex.getMessage())
					+ " (a Spring cron expression has six fields: second minute hour day-of-month month day-of-week)");
		}
		String zoneName = text(file, map, "zone", false);
		ZoneId zone = DEFAULT_ZONE;
		if (zoneName != null) {
			try {
				zone = ZoneId.of(zoneName);
			}
			catch (DateTimeException ex) {
				throw new ScheduleFileException(file, "unknown zone '" + zoneName + "'");
			}
		}
		if (CronExpression.parse(schedule).next(ZonedDateTime.now(zone)) == null) {
			throw new ScheduleFileException(file, "schedule '" + schedule + "' never fires (no such date)");
		}
		Object enabled = map.containsKey("enabled") ? map.get("enabled") : Boolean.TRUE;
		if (!(enabled instanceof Boolean)) {
			throw new ScheduleFileException(file, "enabled must be true or false, not '" + enabled + "'");
		}
		return new ParsedFile(file, job, (Boolean) enabled, schedule, zone, options(file, map.get("options")));
	}

	private static String text(String file, Map<?, ?> map, String key, boolean required) {
		Object value = map.get(key);
		if (value == null) {
			if (required) {
				throw new ScheduleFileException(file, "missing '" + key + "'");
			}
			return null;
		}
		if (value instanceof Map || value instanceof List || String.valueOf(value).isBlank()) {
			throw new ScheduleFileException(file, "'" + key + "' must be a non-empty text, not '" + value + "'");
		}
		return String.valueOf(value).trim();
	}

	private static Map<String, Object> options(String file, Object value) {
		if (value == null) {
			return Map.of();
		}
		if (!(value instanceof Map<?, ?> map)) {
			throw new ScheduleFileException(file, "options must be a mapping of names to values");
		}
		Map<String, Object> options = new LinkedHashMap<>();
		for (Map.Entry<?, ?> entry : map.entrySet()) {
			String name = String.valueOf(entry.getKey());
			if (JobSchedule.SLOT.equals(name)) {
				throw new ScheduleFileException(file, "option '" + name + "' is reserved: the timer sets it");
			}
			if (entry.getValue() == null || entry.getValue() instanceof Map) {
				throw new ScheduleFileException(file, "option '" + name + "' must be a single value or a list");
			}
			// Kept as YAML typed it: the job reads 'true' and true alike, and refuses
			// 'yes'.
			options.put(name,
					(entry.getValue() instanceof java.util.Date date) ? date.toInstant().toString() : entry.getValue());
		}
		return options;
	}

	private static String firstLine(String message) {
		return (message != null) ? message.lines().findFirst().orElse("") : "";
	}

}
