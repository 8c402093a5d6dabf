package dev.workflowkeeper.ops;

import java.util.LinkedHashMap;
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
 * and the keys and bytes of that store's earlier reports (the trend), oldest first.
 */
@Component
@Endpoint(id = "workflowreport")
public class WorkflowReportEndpoint {

	static final int TREND_POINTS = 100;

	private final ReportRepository reports;

	public WorkflowReportEndpoint(ReportRepository reports) {
		this.reports = reports;
	}

	@ReadOperation
	public WebEndpointResponse<Map<String, Object>> report() {
		Optional<Map<String, Object>> latest = this.reports.latest();
		if (latest.isEmpty()) {
			return WorkflowJobsEndpoint.notFound("no memory report yet; run reportMemoryJob (workflow-keeper report)");
		}
		Map<String, Object> report = latest.get();
		List<Map<String, Object>> trend = (report.get("store") instanceof String store)
				? this.reports.history(store, TREND_POINTS).stream().map(WorkflowReportEndpoint::point).toList()
				: List.of();
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("report", report);
		body.put("trend", trend);
		return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_OK);
	}

	private static Map<String, Object> point(Point point) {
		Map<String, Object> view = new LinkedHashMap<>();
		view.put("at", point.at().toString());
		view.put("keys", point.keys());
		view.put("bytes", point.bytes());
		return view;
	}

}
