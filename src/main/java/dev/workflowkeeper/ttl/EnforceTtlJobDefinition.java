package dev.workflowkeeper.ttl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.workflowkeeper.config.KeeperProperties;
import dev.workflowkeeper.job.JobDefinition;
import dev.workflowkeeper.job.JobFigure;
import dev.workflowkeeper.job.JobOption;
import dev.workflowkeeper.job.JobOptions;
import dev.workflowkeeper.job.JobTexts;
import dev.workflowkeeper.job.OptionType;
import dev.workflowkeeper.maintenance.MaintenanceStores;
import dev.workflowkeeper.pace.PaceSettings;

import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.stereotype.Component;

/** {@value EnforceTtlJob#NAME}: its options, rules and figures. */
@Component
class EnforceTtlJobDefinition implements JobDefinition {

	/** The counter of the TTLs the job gave or capped. */
	static final String TTL_FIXED = "workflowkeeper.ttl.fixed";

	private static final String TTL_FIXED_HELP = "Workflow states whose TTL enforceTtlJob fixed: given one (missing) or capped";

	private final MaintenanceStores stores;

	private final KeeperProperties properties;

	EnforceTtlJobDefinition(MaintenanceStores stores, KeeperProperties properties) {
		this.stores = stores;
		this.properties = properties;
	}

	@Override
	public String name() {
		return EnforceTtlJob.NAME;
	}

	@Override
	public String title() {
		return "Give states without a TTL one, and cap TTLs above the maximum";
	}

	@Override
	public List<JobOption> options() {
		List<JobOption> options = new ArrayList<>(List.of(MaintenanceStores.STORE_OPTION,
				JobOption.of(EnforceTtlParameters.MAX_TTL, OptionType.DURATION, "WORKFLOW_STATE_TTL",
						"the longest TTL a state may keep; never shorter than WORKFLOW_STATE_TTL"),
				JobOption.of(EnforceTtlParameters.SPREAD, OptionType.DURATION,
						"a tenth of WORKFLOW_STATE_TTL, at most 1h",
						"the expiries set land up to this far below the TTL given, each key at its own place, "
								+ "so that they do not all fall in the same second; 0 for none, at most half of WORKFLOW_STATE_TTL"),
				JobOption.of(EnforceTtlParameters.FROM_AGE, OptionType.BOOLEAN, "false",
						"a state without a TTL gets what its updated_at leaves of the service's TTL"),
				JobOption.of(EnforceTtlParameters.DRY_RUN, OptionType.BOOLEAN, "false",
						"count what would change, change nothing")));
		options.addAll(PaceSettings.options());
		return options;
	}

	/** The pace: a resumed run goes on at the pace of the launch that resumes it. */
	@Override
	public Set<String> optionsRenewedOnResume() {
		return PaceSettings.NAMES;
	}

	@Override
	public JobParameters parameters(JobOptions options) {
		EnforceTtlParameters ttl = EnforceTtlParameters.of(options, this.stores.storeOption(options),
				this.properties.stateTtl(), EnforceTtlParameters.defaultSpread(this.properties.stateTtl()),
				this.properties.stateTtl());
		PaceSettings pace = PaceSettings.read(options, this.properties.redis().pace());
		return pace.addTo(new JobParametersBuilder(ttl.toJobParameters())).toJobParameters();
	}

	@Override
	public void validate(JobParameters parameters) {
		EnforceTtlParameters.from(parameters, this.properties.stateTtl());
		// read under the job's name, so that a refusal names the job
		PaceSettings.read(JobOptions.ofParameters(name(), parameters), this.properties.redis().pace());
	}

	@Override
	public List<JobFigure> figures() {
		return List.of(JobFigure.shown(TtlFigures.key(TtlFigures.CHECKED), "checked"),
				JobFigure.counted(TtlFigures.key(TtlFigures.FIXED_MISSING), "fixed missing", TTL_FIXED,
						Map.of("kind", "missing"), TTL_FIXED_HELP),
				JobFigure.counted(TtlFigures.key(TtlFigures.CAPPED), "capped", TTL_FIXED, Map.of("kind", "capped"),
						TTL_FIXED_HELP),
				JobFigure.shown(TtlFigures.key(TtlFigures.UNTOUCHED), "untouched"),
				JobFigure.shown(TtlFigures.key(TtlFigures.CHANGED_OR_GONE), "changed meanwhile or gone"),
				JobFigure.shown(TtlFigures.key(TtlFigures.OTHER_TYPES), "other types"));
	}

	@Override
	public String describe(JobParameters parameters) {
		EnforceTtlParameters ttl = EnforceTtlParameters.from(parameters, this.properties.stateTtl());
		return "enforce TTLs on " + ttl.store() + ", at most " + JobTexts.duration(ttl.maxTtl())
				+ (ttl.spread().isZero() ? "" : ", spread over " + JobTexts.duration(ttl.spread()))
				+ (ttl.fromAge() ? ", missing ones from age" : "");
	}

	/** {@code checked 3,000, fixed 12 (10 missing, 2 capped)}, or "would fix". */
	@Override
	public String outcome(JobExecution execution) {
		ExecutionContext figures = execution.getExecutionContext();
		long missing = JobTexts.figure(figures, TtlFigures.key(TtlFigures.FIXED_MISSING));
		long capped = JobTexts.figure(figures, TtlFigures.key(TtlFigures.CAPPED));
		long changed = JobTexts.figure(figures, TtlFigures.key(TtlFigures.CHANGED_OR_GONE));
		return "checked " + JobTexts.count(JobTexts.figure(figures, TtlFigures.key(TtlFigures.CHECKED)))
				+ (dryRun(execution.getJobParameters()) ? ", would fix " : ", fixed ")
				+ JobTexts.count(missing + capped) + " (" + JobTexts.count(missing) + " missing, "
				+ JobTexts.count(capped) + " capped)"
				+ ((changed > 0) ? ", " + JobTexts.count(changed) + " changed meanwhile or gone" : "");
	}

}
