package dev.workflowkeeper.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalManagementPort;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The actuator on a port of its own, on the loopback interface only
 * ({@code management.server.port}, {@code management.server.address}): it answers there,
 * with the same security, and no longer on the application port.
 */
// closed before the temporary data folder is deleted, so that no H2 file appears while it
// goes
@DirtiesContext
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
class ManagementPortIntegrationTests {

	static final String ADMIN_PASSWORD = "op-secret-port";

	@TempDir
	static Path tmp;

	@LocalServerPort
	int port;

	@LocalManagementPort
	int managementPort;

	@DynamicPropertySource
	static void worker(DynamicPropertyRegistry registry) {
		OpsEndpointsIntegrationTests.workerIn(registry, tmp);
		registry.add("keeper.ops.admin-password", () -> ADMIN_PASSWORD);
		registry.add("management.server.port", ManagementPortIntegrationTests::freePort);
		registry.add("management.server.address", () -> "127.0.0.1");
	}

	@Test
	void shouldAnswerOnTheManagementPortOnly() {
		// given
		OpsHttp management = new OpsHttp(this.managementPort);
		OpsHttp application = new OpsHttp(this.port);
		assertThat(this.managementPort).isPositive().isNotEqualTo(this.port);

		// when, then: health open, the rest behind the operator's credentials, on the
		// management port
		assertThat(management.get("/actuator/health").statusCode()).isEqualTo(200);
		assertThat(management.get("/actuator/health/liveness").statusCode()).isEqualTo(200);
		assertThat(management.get("/actuator/health/readiness").statusCode()).isEqualTo(200);
		assertThat(management.get("/actuator/workflowjobs").statusCode()).isEqualTo(401);
		assertThat(management.get("/actuator/workflowjobs", "admin", ADMIN_PASSWORD).statusCode()).isEqualTo(200);
		assertThat(management.get("/actuator/prometheus").statusCode()).isEqualTo(401);
		assertThat(management.get("/actuator/prometheus", "admin", ADMIN_PASSWORD).statusCode()).isEqualTo(200);
		// and nothing of the actuator on the application port, even for the operator
		assertThat(application.get("/actuator/health", "admin", ADMIN_PASSWORD).statusCode()).isEqualTo(404);
		assertThat(application.get("/actuator/workflowjobs", "admin", ADMIN_PASSWORD).statusCode()).isEqualTo(404);
	}

	private static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
