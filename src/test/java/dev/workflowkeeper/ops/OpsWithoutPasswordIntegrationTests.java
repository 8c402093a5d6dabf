package dev.workflowkeeper.ops;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker without an operator password keeps every endpoint but health and info closed
 * to anyone.
 */
// closed before the temporary data folder is deleted, so that no H2 file appears while it
// goes
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class OpsWithoutPasswordIntegrationTests {

	@TempDir
	static Path tmp;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void worker(DynamicPropertyRegistry registry) {
		OpsEndpointsIntegrationTests.workerIn(registry, tmp);
		registry.add("keeper.ops.admin-password", () -> "");
	}

	@Test
	void shouldRefuseProtectedEndpointsWhateverTheCredentials() {
		OpsHttp http = new OpsHttp(this.port);
		assertThat(http.get("/actuator/health").statusCode()).isEqualTo(200);
		assertThat(http.get("/actuator/info").statusCode()).isEqualTo(200);
		for (String path : OpsEndpointsIntegrationTests.PROTECTED) {
			assertThat(http.get(path).statusCode()).as(path).isIn(401, 403);
			assertThat(http.get(path, "admin", "").statusCode()).as(path).isIn(401, 403);
			assertThat(http.get(path, "admin", "admin").statusCode()).as(path).isIn(401, 403);
			assertThat(http.get(path, "admin", OpsEndpointsIntegrationTests.ADMIN_PASSWORD).statusCode()).as(path)
				.isIn(401, 403);
		}
	}

}
