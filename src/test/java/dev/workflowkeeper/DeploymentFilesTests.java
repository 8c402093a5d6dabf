package dev.workflowkeeper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import org.springframework.boot.convert.DurationStyle;

import static dev.workflowkeeper.ContainerFilesTests.ROOT;
import static dev.workflowkeeper.ContainerFilesTests.defaultOf;
import static dev.workflowkeeper.ContainerFilesTests.environment;
import static dev.workflowkeeper.ContainerFilesTests.get;
import static dev.workflowkeeper.ContainerFilesTests.placeholders;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The files that deploy several workers, read against the configuration as
 * {@link ContainerFilesTests} reads the container files: the compose file's workers share
 * its PostgreSQL history, the Kubernetes Deployment's probes ask the actuator paths on
 * the port the worker serves, its grace period outlasts the worker's shutdown timeout,
 * every password comes from the Secret, the disruption budget keeps one of the
 * Deployment's pods, and the migration Job runs once, with the workers' settings.
 */
class DeploymentFilesTests {

	static final Path KUBERNETES = ROOT.resolve("deploy/kubernetes/workflow-keeper.yaml");

	private static String dockerfile;

	static Map<String, Object> compose;

	static Map<String, Map<String, Object>> kubernetes;

	static Map<String, Object> defaults;

	static Map<String, Object> operatorConfig;

	static Map<String, String> recordDefaults;

	@BeforeAll
	static void readFiles() throws IOException {
		dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
		compose = ContainerFilesTests.yaml(ROOT.resolve("docker-compose.workers.yml"));
		kubernetes = new LinkedHashMap<>();
		for (Object document : new Yaml().loadAll(Files.readString(KUBERNETES))) {
			@SuppressWarnings("unchecked")
			Map<String, Object> resource = (Map<String, Object>) document;
			assertThat(kubernetes.put((String) resource.get("kind"), resource)).as("one " + resource.get("kind"))
				.isNull();
		}
		defaults = ContainerFilesTests.yaml(ROOT.resolve("src/main/resources/application.yml"));
		operatorConfig = ContainerFilesTests.yaml(ROOT.resolve("config/application.yml"));
		recordDefaults = ContainerFilesTests
			.recordDefaults(ROOT.resolve("target/classes/META-INF/spring-configuration-metadata.json"));
	}

	@Test
	void shouldSetOnlyVariablesTheWorkerReads() {
		// given
		Set<String> read = new LinkedHashSet<>(ContainerFilesTests.READ_OUTSIDE_THE_YAML);
		read.addAll(placeholders(defaults));
		read.addAll(placeholders(operatorConfig));

		// when
		Set<String> composeSet = environment(get(compose, "services.workflow-keeper.environment")).keySet();
		Set<String> deploymentSet = names(container("Deployment"));
		Set<String> jobSet = names(container("Job"));

		// then
		assertThat(read).contains("KEEPER_HISTORY_URL", "KEEPER_HISTORY_USER", "KEEPER_HISTORY_PASSWORD");
		assertThat(read).containsAll(composeSet).containsAll(deploymentSet).containsAll(jobSet);
		assertThat(deploymentSet).contains("KEEPER_HISTORY_URL", "REDIS_URL");
	}

	@Test
	void shouldRunTwoComposeWorkersOnTheComposePostgres() {
		// given
		Map<String, String> worker = environment(get(compose, "services.workflow-keeper.environment"));
		Map<String, String> postgres = environment(get(compose, "services.postgres.environment"));

		// when
		String url = worker.get("KEEPER_HISTORY_URL");

		// then: the URL names the compose service, its port, database and user
		assertThat(get(compose, "services.postgres.image").toString()).startsWith("postgres:16");
		assertThat(url).isEqualTo("jdbc:postgresql://postgres:5432/" + postgres.get("POSTGRES_DB"));
		assertThat(worker.get("KEEPER_HISTORY_USER")).isEqualTo(postgres.get("POSTGRES_USER"));
		assertThat(worker.get("KEEPER_HISTORY_PASSWORD")).startsWith("${KEEPER_HISTORY_PASSWORD")
			.isEqualTo(postgres.get("POSTGRES_PASSWORD"));
		assertThat(get(compose, "services.postgres.healthcheck.test").toString()).contains("pg_isready");
		assertThat(get(compose, "services.workflow-keeper.depends_on.postgres.condition")).isEqualTo("service_healthy");
		assertThat(get(compose, "services.workflow-keeper.depends_on.redis.condition")).isEqualTo("service_healthy");
		assertThat(worker).containsEntry("USE_REDIS", "true");
		assertThat(worker.get("REDIS_URL")).startsWith("redis://redis:6379/");
		// and: two replicas that neither clash on a host port nor share a data folder
		assertThat(get(compose, "services.workflow-keeper.deploy.replicas")).isEqualTo(2);
		assertThat(get(compose, "services.workflow-keeper.ports")).isNull();
		assertThat(strings(get(compose, "services.workflow-keeper.volumes")))
			.noneMatch((m) -> m.contains(":/app/data"));
	}

	@Test
	void shouldProbeTheActuatorPathsOnThePortTheWorkerServes() {
		// given
		String serverPort = defaultOf(get(defaults, "server.port"));
		Map<String, Object> container = container("Deployment");

		// when
		Map<String, Object> ports = new LinkedHashMap<>();
		for (Object port : (List<?>) container.get("ports")) {
			ports.put(String.valueOf(((Map<?, ?>) port).get("name")), ((Map<?, ?>) port).get("containerPort"));
		}

		// then
		assertThat(get(defaults, "management.endpoint.health.probes.enabled")).isEqualTo(true);
		assertThat(get(defaults, "management.endpoint.health.group.readiness.include").toString()).contains("history");
		assertThat(get(defaults, "management.server.port")).isNull();
		assertThat(container.get("args")).isEqualTo(List.of("serve"));
		assertThat(get(container, "livenessProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(get(container, "startupProbe.httpGet.path")).isEqualTo("/actuator/health/liveness");
		assertThat(get(container, "readinessProbe.httpGet.path")).isEqualTo("/actuator/health/readiness");
		for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
			Object port = get(container, probe + ".httpGet.port");
			Object number = (port instanceof Integer) ? port : ports.get(String.valueOf(port));
			assertThat(String.valueOf(number)).as(probe + " port").isEqualTo(serverPort);
		}
	}

	@Test
	void shouldGiveARunningChunkTimeToFinishWhenAWorkerStops() {
		// given
		Duration shutdownTimeout = DurationStyle
			.detectAndParse(recordDefaults.get("keeper.scheduling.shutdown-timeout"));

		// when
		Object pod = get(kubernetes.get("Deployment"), "spec.template.spec.terminationGracePeriodSeconds");
		Object compose = get(DeploymentFilesTests.compose, "services.workflow-keeper.stop_grace_period");

		// then: Kubernetes' own 30 s would kill a worker as its runs end STOPPED
		assertThat(pod).as("terminationGracePeriodSeconds").isInstanceOf(Integer.class);
		assertThat(Duration.ofSeconds((Integer) pod)).isGreaterThan(shutdownTimeout);
		assertThat(DurationStyle.detectAndParse(compose.toString())).isGreaterThan(shutdownTimeout);
	}

	@Test
	void shouldTakeEveryPasswordFromTheSecret() {
		// given
		Map<String, Object> secret = kubernetes.get("Secret");
		String secretName = (String) get(secret, "metadata.name");
		Set<String> keys = new LinkedHashSet<>();
		for (String data : List.of("stringData", "data")) {
			if (secret.get(data) instanceof Map<?, ?> map) {
				map.keySet().forEach((key) -> keys.add(key.toString()));
			}
		}

		// then
		assertThat(keys).contains("REDIS_PASSWORD", "KEEPER_HISTORY_PASSWORD", "KEEPER_ADMIN_PASSWORD");
		for (String kind : List.of("Deployment", "Job")) {
			List<Map<?, ?>> env = env(container(kind));
			assertThat(env).as(kind + " passwords")
				.filteredOn((v) -> v.get("name").toString().contains("PASSWORD"))
				.hasSize(3)
				.allSatisfy((variable) -> {
					assertThat(variable.containsKey("value")).as(variable.get("name") + " in plain text").isFalse();
					Map<?, ?> ref = (Map<?, ?>) ((Map<?, ?>) variable.get("valueFrom")).get("secretKeyRef");
					assertThat(ref.get("name")).isEqualTo(secretName);
					assertThat(keys).contains(ref.get("key").toString());
				});
		}
	}

	@Test
	void shouldRunTheMigrationWithTheWorkersSettings() {
		// when
		List<Map<?, ?>> deployment = env(container("Deployment"));
		List<Map<?, ?>> job = env(container("Job"));

		// then: the same Redis, history and secrets as the workers, a resume on failure
		assertThat(job).isEqualTo(deployment);
		assertThat(get(kubernetes.get("Job"), "spec.template.spec.restartPolicy")).isEqualTo("OnFailure");
		assertThat(get(kubernetes.get("Job"), "spec.backoffLimit")).isInstanceOf(Integer.class);
		assertThat(get(kubernetes.get("Job"), "spec.template.spec.securityContext.runAsNonRoot")).isEqualTo(true);
	}

	@Test
	void shouldKeepOneWorkerThroughVoluntaryDisruptions() {
		// given
		Map<String, Object> deployment = kubernetes.get("Deployment");
		Map<String, String> podLabels = labels(get(deployment, "spec.template.metadata.labels"));
		Map<String, String> jobPodLabels = labels(get(kubernetes.get("Job"), "spec.template.metadata.labels"));

		// when
		Map<String, String> budget = labels(get(kubernetes.get("PodDisruptionBudget"), "spec.selector.matchLabels"));
		Map<String, String> selector = labels(get(deployment, "spec.selector.matchLabels"));

		// then: it selects the Deployment's pods, not the migration's
		assertThat(get(deployment, "spec.replicas")).isEqualTo(2);
		assertThat(get(kubernetes.get("PodDisruptionBudget"), "spec.minAvailable")).isEqualTo(1);
		assertThat(budget).isNotEmpty();
		assertThat(podLabels).containsAllEntriesOf(selector).containsAllEntriesOf(budget);
		assertThat(jobPodLabels.entrySet().containsAll(budget.entrySet())).isFalse();
		assertThat(jobPodLabels.entrySet().containsAll(selector.entrySet())).isFalse();
	}

	@Test
	void shouldRunEveryPodAsANonRootUserWithResources() {
		for (String kind : List.of("Deployment", "Job")) {
			// when
			Map<String, Object> pod = kubernetes.get(kind);
			Map<String, Object> container = container(kind);

			// then: as the image's own user, whose fixed id Kubernetes can check
			assertThat(get(pod, "spec.template.spec.securityContext.runAsNonRoot")).as(kind).isEqualTo(true);
			assertThat(get(pod, "spec.template.spec.securityContext.runAsUser")).as(kind)
				.isInstanceOf(Integer.class)
				.isNotEqualTo(0);
			assertThat(dockerfile).as(kind)
				.contains("useradd --system --uid " + get(pod, "spec.template.spec.securityContext.runAsUser"));
			assertThat(get(container, "resources.requests.memory")).as(kind).isNotNull();
			assertThat(get(container, "resources.limits.memory")).as(kind).isNotNull();
		}
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> container(String kind) {
		List<?> containers = (List<?>) get(kubernetes.get(kind), "spec.template.spec.containers");
		assertThat(containers).as(kind + " containers").hasSize(1);
		return (Map<String, Object>) containers.get(0);
	}

	private static List<Map<?, ?>> env(Map<String, Object> container) {
		return ((List<?>) container.get("env")).stream().<Map<?, ?>>map((v) -> (Map<?, ?>) v).toList();
	}

	/** Labels, or a selector's {@code matchLabels}. */
	private static Map<String, String> labels(Object labels) {
		Map<String, String> map = new LinkedHashMap<>();
		if (labels instanceof Map<?, ?> given) {
			given.forEach((name, value) -> map.put(name.toString(), String.valueOf(value)));
		}
		return map;
	}

	private static Set<String> names(Map<String, Object> container) {
		Set<String> names = new LinkedHashSet<>();
		env(container).forEach((variable) -> names.add(variable.get("name").toString()));
		return names;
	}

	private static List<String> strings(Object list) {
		List<String> strings = new ArrayList<>();
		if (list instanceof List<?> items) {
			items.forEach((item) -> strings.add(String.valueOf(item)));
		}
		return strings;
	}

}
