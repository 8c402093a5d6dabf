package dev.workflowkeeper.support;

import java.util.List;
import java.util.Map;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the history that {@code history --format json} prints, for assertions on
 * executions.
 */
public final class History {

	private History() {
	}

	/** The latest execution, as the JSON object the history command prints. */
	@SuppressWarnings("unchecked")
	public static Map<String, Object> latest(KeeperCli cli) {
		KeeperCli.Result result = cli.run("history", "--limit", "1", "--format", "json");
		if (result.exitCode() != 0) {
			throw new IllegalStateException("history failed: " + result);
		}
		List<Map<String, Object>> rows = JsonMapper.builder().build().readValue(result.out(), new TypeReference<>() {
		});
		return rows.get(0);
	}

	/**
	 * One figure of the latest execution ({@code migrate.written},
	 * {@code verify.missing}, …).
	 */
	@SuppressWarnings("unchecked")
	public static long figure(Map<String, Object> execution, String name) {
		Map<String, Object> figures = (Map<String, Object>) execution.get("figures");
		Object value = figures.get(name);
		if (value == null) {
			throw new IllegalStateException("no figure " + name + " in " + figures);
		}
		return ((Number) value).longValue();
	}

}
