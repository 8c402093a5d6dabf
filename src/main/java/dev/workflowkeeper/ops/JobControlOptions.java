package dev.workflowkeeper.ops;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.generate.GenerateJob;
import dev.workflowkeeper.maintenance.MaintenanceStores;
import dev.workflowkeeper.migration.MigrationJob;
import dev.workflowkeeper.migration.MigrationParameters;
import dev.workflowkeeper.migration.TtlPolicy;
import dev.workflowkeeper.purge.PurgeJob;
import dev.workflowkeeper.report.ReportJob;
import dev.workflowkeeper.retention.PruneHistoryJobConfiguration;
import dev.workflowkeeper.store.ConflictPolicy;
import dev.workflowkeeper.store.StoreAddresses;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.ttl.EnforceTtlJob;

import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.boot.convert.DurationStyle;

/**
 * The options each job takes when launched by hand, named as the schedule files and the commands
 * name them, and their turning into the job parameters the commands record: the same names, types
 * and defaults, store addresses masked. Values may be JSON strings, booleans or numbers.
 */
final class JobControlOptions {

	static final String GENERATE = "generateStatesJob";

	private final KeeperProperties properties;

	private final MaintenanceStores stores;

	private final StoreAddresses addresses;

	JobControlOptions(KeeperProperties properties, MaintenanceStores stores, StoreAddresses addresses) {
		this.properties = properties;
		this.stores = stores;
		this.addresses = addresses;
	}

	/** The option names a job takes, in the order they are documented; empty for a job without options. */
	static List<String> names(String job) {
		return switch (job) {
			case ReportJob.NAME -> List.of("store", "values");
			case EnforceTtlJob.NAME -> List.of("store", "maxTtl", "fromAge", "dryRun");
			case PurgeJob.NAME -> List.of("store", "staleAfter", "terminalRetention", "maxShare", "dryRun", "archive", "force",
					"includeUnparseable");
			case PruneHistoryJobConfiguration.JOB_NAME -> List.of("dryRun");
			case MigrationJob.NAME -> List.of("from", "to", "ttl", "onConflict", "targetPrefix", "excludeTerminal", "statuses",
					"dryRun", "verify");
			case GENERATE -> List.of("to", "count", "seed", "map");
			default -> List.of();
		};
	}

	/**
	 * The identifying parameters of a run of {@code job} with {@code options} (without the run
	 * number), every option the job takes given its default when absent.
	 * @throws BadJobParameterException for an unknown option or a value the job cannot take
	 */
	JobParameters parameters(String job, Map<String, Object> options) {
		List<String> known = names(job);
		for (String name : options.keySet()) {
			if (!known.contains(name)) {
				throw new BadJobParameterException("unknown option '" + name + "' for " + job + "; it takes "
						+ (known.isEmpty() ? "no option" : String.join(", ", known)));
			}
		}
		Values values = new Values(job, options);
		try {
			return switch (job) {
				case ReportJob.NAME -> ReportJob.parameters(maintenanceStore(values), values.bool("values", true));
				case EnforceTtlJob.NAME -> EnforceTtlJob.parameters(maintenanceStore(values),
						values.duration("maxTtl", this.properties.stateTtl()), this.properties.stateTtl(),
						values.bool("fromAge", false), values.bool("dryRun", false));
				case PurgeJob.NAME -> PurgeJob.parameters(this.properties, maintenanceStore(values),
						values.duration("staleAfter", this.properties.staleAfter()),
						values.duration("terminalRetention", this.properties.maintenance().terminalRetention()),
						values.number("maxShare", this.properties.maintenance().purgeMaxShare()), values.bool("dryRun", false),
						values.bool("archive", true), values.bool("force", false), values.bool("includeUnparseable", false));
				case PruneHistoryJobConfiguration.JOB_NAME -> new JobParametersBuilder()
					.addString("dryRun", Boolean.toString(values.bool("dryRun", false)))
					.toJobParameters();
				case MigrationJob.NAME -> migration(values);
				case GENERATE -> generation(values);
				default -> throw new UnknownJobException("no options known for job '" + job + "'");
			};
		}
		catch (IllegalArgumentException ex) {
			// refused by the job's own rules, as the command would refuse them
			throw new BadJobParameterException(job + ": " + ex.getMessage());
		}
	}

	private JobParameters generation(Values values) {
		StoreUri to = values.store("to", true);
		long count = values.whole("count", null);
		if (count <= 0) {
			throw new BadJobParameterException("count must be a positive number, not " + count);
		}
		this.addresses.remember(to);
		return GenerateJob.parameters(to, count, values.whole("seed", 1L), values.bool("map", false),
				System.currentTimeMillis());
	}

	private JobParameters migration(Values values) {
		StoreUri from = values.store("from", true);
		StoreUri to = values.store("to", true);
		ConflictPolicy policy;
		String conflict = values.text("onConflict", "skip");
		try {
			policy = ConflictPolicy.valueOf(conflict.trim().toUpperCase(Locale.ROOT));
		}
		catch (IllegalArgumentException ex) {
			throw new BadJobParameterException("onConflict must be skip, overwrite or newer, not '" + conflict + "'");
		}
		TtlPolicy ttl;
		try {
			ttl = TtlPolicy.parse(values.text("ttl", "auto"));
		}
		catch (IllegalArgumentException ex) {
			throw new BadJobParameterException("ttl: " + ex.getMessage());
		}
		String prefix = values.text("targetPrefix", "");
		if (from.value().equals(to.value()) && prefix.isEmpty()) {
			throw new BadJobParameterException("from and to name the same store: nothing to migrate");
		}
		MigrationParameters parameters = new MigrationParameters(from, to, ttl, policy, prefix.isEmpty() ? null : prefix,
				values.bool("excludeTerminal", false), values.statuses("statuses"), values.bool("dryRun", false),
				values.bool("verify", true));
		this.addresses.remember(from);
		this.addresses.remember(to);
		return parameters.toJobParameters();
	}

	private String maintenanceStore(Values values) {
		StoreUri store = values.store(MaintenanceStores.STORE, false);
		if (store != null && store.kind() == StoreUri.Kind.SNAPSHOT) {
			throw new BadJobParameterException(
					"store must be a redis:// store or memory:, a snapshot file has no TTLs to maintain");
		}
		return this.stores.parameter((store != null) ? store.value() : null);
	}

	/** The options of one launch, read leniently: a boolean may come as "true", a number as "42". */
	private record Values(String job, Map<String, Object> options) {

		private Object raw(String name) {
			Object value = this.options.get(name);
			return (value instanceof String text && text.isBlank()) ? null : value;
		}

		private BadJobParameterException bad(String name, String expected) {
			return new BadJobParameterException(
					this.job + " option " + name + " must be " + expected + ", not '" + StoreUri.mask(String.valueOf(this.options.get(name))) + "'");
		}

		boolean bool(String name, boolean fallback) {
			Object value = raw(name);
			if (value == null) {
				return fallback;
			}
			if (value instanceof Boolean flag) {
				return flag;
			}
			String text = value.toString().trim().toLowerCase(Locale.ROOT);
			if (text.equals("true") || text.equals("false")) {
				return Boolean.parseBoolean(text);
			}
			throw bad(name, "true or false");
		}

		String text(String name, String fallback) {
			Object value = raw(name);
			if (value == null) {
				return fallback;
			}
			if (value instanceof Map || value instanceof Collection) {
				throw bad(name, "a string");
			}
			return value.toString();
		}

		Duration duration(String name, Duration fallback) {
			Object value = raw(name);
			if (value == null) {
				return fallback;
			}
			try {
				String text = value.toString().trim();
				Duration duration = text.matches("\\d+") ? Duration.ofSeconds(Long.parseLong(text))
						: DurationStyle.detectAndParse(text);
				if (!duration.isNegative() && !duration.isZero()) {
					return duration;
				}
			}
			catch (IllegalArgumentException ex) {
				// told below
			}
			throw bad(name, "a positive duration such as 48h, 30m, P2D or a number of seconds");
		}

		long whole(String name, Long fallback) {
			Object value = raw(name);
			if (value == null) {
				if (fallback == null) {
					throw new BadJobParameterException(this.job + " needs the option " + name);
				}
				return fallback;
			}
			if (value instanceof Number number && number.doubleValue() == Math.rint(number.doubleValue())) {
				return number.longValue();
			}
			try {
				return Long.parseLong(value.toString().trim());
			}
			catch (NumberFormatException ex) {
				throw bad(name, "a whole number");
			}
		}

		double number(String name, double fallback) {
			Object value = raw(name);
			if (value == null) {
				return fallback;
			}
			if (value instanceof Number number) {
				return number.doubleValue();
			}
			try {
				return Double.parseDouble(value.toString().trim());
			}
			catch (NumberFormatException ex) {
				throw bad(name, "a number");
			}
		}

		StoreUri store(String name, boolean required) {
			Object value = raw(name);
			if (value == null) {
				if (required) {
					throw new BadJobParameterException(this.job + " needs the option " + name + " (a store address)");
				}
				return null;
			}
			if (!(value instanceof String text)) {
				throw bad(name, "a store address");
			}
			try {
				return StoreUri.parse(text.trim());
			}
			catch (IllegalArgumentException ex) {
				throw new BadJobParameterException(this.job + " option " + name + ": " + StoreUri.mask(ex.getMessage()));
			}
		}

		Set<String> statuses(String name) {
			Object value = raw(name);
			if (value == null) {
				return Set.of();
			}
			List<String> given = new ArrayList<>();
			if (value instanceof Collection<?> list) {
				list.forEach((item) -> given.add(String.valueOf(item)));
			}
			else if (value instanceof String text) {
				given.addAll(List.of(text.split(",")));
			}
			else {
				throw bad(name, "a list of statuses or a comma-separated string");
			}
			Set<String> statuses = new LinkedHashSet<>();
			for (String status : given) {
				if (!status.isBlank()) {
					statuses.add(status.trim().toLowerCase(Locale.ROOT));
				}
			}
			return statuses;
		}

	}

	/** Options of a schedule file under those given, which win. */
	static Map<String, Object> merge(Map<String, String> scheduled, Map<String, Object> given) {
		Map<String, Object> merged = new LinkedHashMap<>(scheduled);
		merged.putAll(given);
		return merged;
	}

}
