package dev.workflowkeeper.ops;

import java.net.http.HttpResponse;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker on the embedded {@code memory:} store ({@code USE_REDIS=false}): no Redis to
 * check, so the Redis health is UNKNOWN and the worker stays UP and ready. Boot's own
 * Redis indicator (for a localhost:6379 the worker never uses) is not there.
 */
// closed before the temporary data folder is deleted, so that no H2 file appears while it
// goes
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class HealthWithoutRedisIntegrationTests {

	static final String ADMIN_PASSWORD = "op-secret-memory";

	@TempDir
	static Path tmp;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void worker(DynamicPropertyRegistry registry) {
		OpsEndpointsIntegrationTests.workerIn(registry, tmp);
		registry.add("keeper.ops.admin-password", () -> ADMIN_PASSWORD);
		registry.add("keeper.redis.use-redis", () -> "false");
		registry.add("keeper.redis.url", () -> "redis://127.0.0.1:1/0");
	}

	@Test
	void shouldNotReportRedisDownWhenNoneIsConfigured() {
		// when
		HttpResponse<String> health = new OpsHttp(this.port).get("/actuator/health", "admin", ADMIN_PASSWORD);
		HttpResponse<String> readiness = new OpsHttp(this.port).get("/actuator/health/readiness", "admin",
				ADMIN_PASSWORD);

		// then
		assertThat(health.statusCode()).isEqualTo(200);
		JsonNode redis = OpsHttp.json(health).get("components").get("redis");
		assertThat(redis.get("status").asString()).isEqualTo("UNKNOWN");
		assertThat(redis.get("details").get("configured").asBoolean()).isFalse();
		assertThat(OpsHttp.json(health).get("status").asString()).isEqualTo("UP");
		assertThat(readiness.statusCode()).isEqualTo(200);
		assertThat(OpsHttp.json(readiness).get("status").asString()).isEqualTo("UP");
		assertThat(OpsHttp.json(health)
			.get("components")
			.get("workflowJobs")
			.get("details")
			.get("schedulingEnabled")
			.asBoolean()).isFalse();
	}

}
