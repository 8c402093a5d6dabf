package dev.workflowkeeper.ops;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.workflowkeeper.report.ReportRepository;
import dev.workflowkeeper.report.ReportRepository.Point;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/workflowreport}: the latest memory report as the report job stored it,
 * and the keys and bytes of that store's earlier reports (the trend), oldest first; an
 * {@link ErrorBody} with 404 while there is no report yet.
 */
@Component
@Endpoint(id = "workflowreport")
public class WorkflowReportEndpoint {

	static final int TREND_POINTS = 100;

	private final ReportRepository reports;

	public WorkflowReportEndpoint(ReportRepository reports) {
		this.reports = reports;
	}

	/** A {@link ReportDescriptor}, or an {@link ErrorBody} when no report exists yet. */
	@ReadOperation
	public WebEndpointResponse<Object> report() {
		Optional<ReportDescriptor> latest = latest();
		if (latest.isEmpty()) {
			return WorkflowJobsEndpoint.notFound("no memory report yet; run reportMemoryJob (workflow-keeper report)");
		}
		return new WebEndpointResponse<>(latest.get(), WebEndpointResponse.STATUS_OK);
	}

	/** The latest report with its trend, if the report job ever ran. */
	public Optional<ReportDescriptor> latest() {
		return this.reports.latest().map((report) -> {
			List<TrendPoint> trend = (report.get("store") instanceof String store)
					? this.reports.history(store, TREND_POINTS).stream().map(TrendPoint::of).toList() : List.of();
			return new ReportDescriptor(report, trend);
		});
	}

	/**
	 * The latest memory report and the trend of its store.
	 *
	 * @param report the report as the report job stored it (its figures and breakdowns)
	 * @param trend the store's reports, oldest first, at most {@value #TREND_POINTS}
	 */
	public record ReportDescriptor(Map<String, Object> report, List<TrendPoint> trend) {
	}

	/**
	 * One report in the trend.
	 *
	 * @param at when it was made, ISO-8601
	 * @param keys its key count
	 * @param bytes its memory
	 */
	public record TrendPoint(String at, long keys, long bytes) {

		static TrendPoint of(Point point) {
			return new TrendPoint(point.at().toString(), point.keys(), point.bytes());
		}

	}

}
