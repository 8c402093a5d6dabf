package dev.workflowkeeper.ops;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.workflowkeeper.report.ReportRepository.Point;
import dev.workflowkeeper.report.ReportRepository.StoreReports;
import dev.workflowkeeper.report.ReportRepository;
import dev.workflowkeeper.store.StoreUri;
import dev.workflowkeeper.store.WorkflowStores;
import org.jspecify.annotations.Nullable;

import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.stereotype.Component;

/**
 * {@code /actuator/workflowreport}: the latest memory report of the worker's default
 * store (its configured one), or of the store {@code ?store=} names (its address, the
 * password masked or not), as the report job stored it; the keys and bytes of that
 * store's earlier reports (the trend), oldest first; and every store that has reports. A
 * report of another store never stands in for the one asked for: an {@link ErrorBody}
 * with 404 while that store has none, naming those that have.
 */
@Component
@Endpoint(id = "workflowreport")
public class WorkflowReportEndpoint {

	static final int TREND_POINTS = 100;

	private final ReportRepository reports;

	private final WorkflowStores stores;

	public WorkflowReportEndpoint(ReportRepository reports, WorkflowStores stores) {
		this.reports = reports;
		this.stores = stores;
	}

	/**
	 * A {@link ReportDescriptor} of the default store or of {@code store}, or an
	 * {@link ErrorBody} when that store has no report yet.
	 */
	@ReadOperation
	public WebEndpointResponse<Object> report(@Nullable String store) {
		String selected = store(store);
		Optional<ReportDescriptor> latest = latest(selected);
		if (latest.isEmpty()) {
			List<String> others = stores().stream().map(StoreDescriptor::store).toList();
			return WorkflowJobsEndpoint.notFound("no memory report of " + selected
					+ " yet; run reportMemoryJob (workflow-keeper report --store " + selected + ")" + (others.isEmpty()
							? "" : "; stores with reports: " + String.join(", ", others) + " (ask with ?store=)"));
		}
		return new WebEndpointResponse<>(latest.get(), WebEndpointResponse.STATUS_OK);
	}

	/** The worker's default store, masked: the one shown unless another is asked for. */
	public String defaultStore() {
		return this.stores.defaultStore().masked();
	}

	/**
	 * The store an address names, as reports name it (masked); the default store for
	 * none.
	 */
	public String store(@Nullable String address) {
		if (address == null || address.isBlank()) {
			return defaultStore();
		}
		try {
			return StoreUri.parse(address).masked();
		}
		catch (IllegalArgumentException ex) {
			return StoreUri.mask(address.trim());
		}
	}

	/** Every store that has reports, by address, the default one marked. */
	public List<StoreDescriptor> stores() {
		String defaultStore = defaultStore();
		return this.reports.stores().stream().map((store) -> StoreDescriptor.of(store, defaultStore)).toList();
	}

	/** The latest report of a store (as {@link #store} names it) with its trend. */
	public Optional<ReportDescriptor> latest(String store) {
		return this.reports.latest(store).map((report) -> {
			List<TrendPoint> trend = this.reports.history(store, TREND_POINTS).stream().map(TrendPoint::of).toList();
			return new ReportDescriptor(store, store.equals(defaultStore()), report, trend, stores());
		});
	}

	/**
	 * The latest memory report of one store and its trend.
	 *
	 * @param store the store, its address masked
	 * @param defaultStore whether it is the worker's default store
	 * @param report the report as the report job stored it (its figures and breakdowns;
	 * those only the values give are {@code null} in a report made without them)
	 * @param trend the store's reports, oldest first, at most {@value #TREND_POINTS}
	 * @param stores every store that has reports
	 */
	public record ReportDescriptor(String store, boolean defaultStore, Map<String, Object> report,
			List<TrendPoint> trend, List<StoreDescriptor> stores) {
	}

	/**
	 * A store that has reports.
	 *
	 * @param store its address, masked
	 * @param defaultStore whether it is the worker's default store
	 * @param latest when its latest report was made, ISO-8601
	 * @param reports how many of its reports the history keeps
	 */
	public record StoreDescriptor(String store, boolean defaultStore, String latest, long reports) {

		static StoreDescriptor of(StoreReports store, String defaultStore) {
			return new StoreDescriptor(store.store(), store.store().equals(defaultStore),
					store.latest().at().toString(), store.reports());
		}

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
