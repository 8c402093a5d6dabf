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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.convert.DurationStyle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The container files read against the build and the configuration, since no test here
 * runs a container: the jar the Dockerfile copies is the one the build makes, ports and
 * the health check match the server's settings, every environment variable set is one the
 * worker reads, Redis keeps an append-only file and is healthy before the worker starts,
 * the worker runs as a non-root user with its configuration, schedules and data folder
 * where it looks for them. The worker's defaults are read where they are declared, in the
 * configuration metadata the build writes from the properties records.
 */
class ContainerFilesTests {

	static final Path ROOT = Path.of("").toAbsolutePath();

	/**
	 * Variables read by the JVM or by Spring Boot's relaxed binding that docs/ documents.
	 */
	static final Set<String> READ_OUTSIDE_THE_YAML = Set.of("JAVA_TOOL_OPTIONS", "SPRING_PROFILES_ACTIVE",
			"MANAGEMENT_SERVER_PORT", "MANAGEMENT_SERVER_ADDRESS");

	static Dockerfile dockerfile;

	static Map<String, Object> compose;

	static Map<String, Object> defaults;

	static Map<String, Object> operatorConfig;

	/**
	 * The defaults of the {@code keeper.*} settings, as the properties records declare
	 * them.
	 */
	static Map<String, String> recordDefaults;

	@BeforeAll
	static void readFiles() throws IOException {
		dockerfile = Dockerfile.parse(Files.readString(ROOT.resolve("Dockerfile")));
		compose = yaml(ROOT.resolve("docker-compose.yml"));
		defaults = yaml(ROOT.resolve("src/main/resources/application.yml"));
		operatorConfig = yaml(ROOT.resolve("config/application.yml"));
		recordDefaults = recordDefaults(ROOT.resolve("target/classes/META-INF/spring-configuration-metadata.json"));
	}

	@Test
	void shouldExtractTheJarTheBuildMakesAndRunItWithTheArchiveOfItsTrainingRun() throws Exception {
		// given
		Document pom = DocumentBuilderFactory.newInstance()
			.newDocumentBuilder()
			.parse(ROOT.resolve("pom.xml").toFile());
		String finalName = pom.getElementsByTagName("finalName").item(0).getTextContent().trim();
		Stage build = dockerfile.stages().get(0);
		Stage runtime = dockerfile.runtime();

		// when
		List<String> extract = build.all("RUN")
			.stream()
			.filter((run) -> run.contains("-Djarmode=tools"))
			.findFirst()
			.map(ContainerFilesTests::words)
			.orElseThrow();
		String extracted = build.last("WORKDIR") + "/" + extract.get(extract.indexOf("--destination") + 1);
		List<List<String>> layerCopies = runtime.all("COPY")
			.stream()
			.filter((args) -> args.startsWith("--from="))
			.map(ContainerFilesTests::words)
			.toList();
		String app = runtime.last("WORKDIR") + "/";
		String jar = app + finalName + ".jar";
		int trainingIndex = runtime.indexOf("RUN", (run) -> run.contains("-XX:ArchiveClassesAtExit="));
		String training = runtime.instructions().get(trainingIndex)[1];
		Matcher archive = Pattern.compile("-XX:ArchiveClassesAtExit=(\\S+)").matcher(training);
		assertThat(archive.find()).isTrue();

		// then: the jar the build packages, extracted with Spring Boot's default layers,
		// each layer into the application's folder
		assertThat(build.all("RUN")).anyMatch((run) -> run.contains("./mvnw") && run.contains("package"));
		assertThat(extract).containsSequence("java", "-Djarmode=tools", "-jar", "target/" + finalName + ".jar",
				"extract", "--layers");
		assertThat(layerCopies).allSatisfy((copy) -> {
			assertThat(copy.get(0)).isEqualTo("--from=" + build.name());
			assertThat(copy.get(2)).isEqualTo(app);
		});
		assertThat(layerCopies).extracting((copy) -> copy.get(1))
			.containsExactly(extracted + "/dependencies/", extracted + "/spring-boot-loader/",
					extracted + "/snapshot-dependencies/", extracted + "/application/");
		// and: the training run starts the worker on that jar once every file is in place
		// (the archive holds the class path it was made with), and the entry point maps
		// its
		// archive
		assertThat(training).contains("-Dspring.context.exit=onRefresh", "-jar " + jar + " serve",
				"test -s " + archive.group(1));
		assertThat(runtime.lastIndexOf("COPY")).isLessThan(trainingIndex);
		assertThat(json(runtime.last("ENTRYPOINT"))).containsExactly("java",
				"-XX:SharedArchiveFile=" + archive.group(1), "-jar", jar);
	}

	@Test
	void shouldCopyOnlyWhatTheRepositoryHoldsAndTheBuildContextKeeps() throws IOException {
		List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore"))
			.stream()
			.map(String::trim)
			.filter((line) -> !line.isEmpty() && !line.startsWith("#"))
			.toList();
		for (Stage stage : dockerfile.stages()) {
			for (String copy : stage.all("COPY")) {
				List<String> words = words(copy);
				if (words.get(0).startsWith("--from=")) {
					continue;
				}
				for (String source : words.subList(0, words.size() - 1)) {
					assertThat(ROOT.resolve(source)).as("COPY " + copy).exists();
					assertThat(ignored).as("COPY " + copy + " against .dockerignore")
						.noneMatch((pattern) -> source.equals(pattern) || source.startsWith(pattern + "/"));
				}
			}
		}
	}

	@Test
	void shouldExposeAndPublishTheServerPort() {
		// given
		String serverPort = defaultOf(get(defaults, "server.port"));

		// when
		List<String> exposed = words(dockerfile.runtime().last("EXPOSE"));
		List<String> published = new ArrayList<>();
		for (Object mapping : (List<?>) get(compose, "services.workflow-keeper.ports")) {
			String[] parts = mapping.toString().split(":");
			published.add(parts[parts.length - 1]);
		}

		// then
		assertThat(serverPort).isEqualTo("8080");
		assertThat(exposed).containsExactly(serverPort);
		assertThat(published).containsExactly(serverPort);
		// the actuator shares the server's port unless MANAGEMENT_SERVER_PORT says
		// otherwise
		assertThat(get(defaults, "management.server.port")).isNull();
	}

	@Test
	void shouldCheckTheLivenessProbeOnTheActuatorsPort() {
		// given
		String serverPort = defaultOf(get(defaults, "server.port"));
		Stage runtime = dockerfile.runtime();

		// when
		String check = runtime.last("HEALTHCHECK");

		// then
		assertThat(get(defaults, "management.endpoint.health.probes.enabled")).isEqualTo(true);
		assertThat(get(defaults, "management.endpoint.health.group.liveness.include")).isNotNull();
		assertThat(get(defaults, "management.endpoints.web.base-path")).isNull();
		assertThat(check).contains("CMD curl ")
			.contains("http://127.0.0.1:${MANAGEMENT_SERVER_PORT:-${KEEPER_PORT:-" + serverPort
					+ "}}/actuator/health/liveness");
		assertThat(runtime.all("RUN")).anyMatch((run) -> run.contains("apt-get install") && run.contains(" curl"));
	}

	@Test
	void shouldSetOnlyVariablesTheWorkerReads() {
		// given
		Set<String> read = new LinkedHashSet<>(READ_OUTSIDE_THE_YAML);
		read.addAll(placeholders(defaults));
		read.addAll(placeholders(operatorConfig));

		// when
		Set<String> set = new LinkedHashSet<>(dockerfile.runtime().environment().keySet());
		set.addAll(environment(get(compose, "services.workflow-keeper.environment")).keySet());

		// then
		assertThat(read).contains("REDIS_URL", "USE_REDIS", "KEEPER_DATA_DIR", "KEEPER_PORT");
		assertThat(set).isNotEmpty();
		assertThat(read).containsAll(set);
	}

	@Test
	void shouldPointTheWorkerAtTheComposeRedis() {
		// when
		Map<String, String> environment = environment(get(compose, "services.workflow-keeper.environment"));
		String imageDefault = dockerfile.runtime().environment().get("REDIS_URL");

		// then
		assertThat(environment).containsEntry("USE_REDIS", "true");
		assertThat(((Map<?, ?>) get(compose, "services")).containsKey("redis")).isTrue();
		assertThat(environment.get("REDIS_URL")).startsWith("redis://redis:6379/");
		assertThat(imageDefault).startsWith("redis://redis:6379/");
	}

	@Test
	void shouldRunRedisWithAnAppendOnlyFileAndStartTheWorkerOnceRedisIsHealthy() {
		// when
		Object command = get(compose, "services.redis.command");
		String commandLine = (command instanceof List<?> list)
				? String.join(" ", list.stream().map(Object::toString).toList()) : String.valueOf(command);

		// then
		assertThat(commandLine).contains("redis-server").contains("--appendonly yes");
		assertThat(get(compose, "services.redis.healthcheck.test")).isNotNull();
		assertThat(get(compose, "services.redis.volumes").toString()).contains(":/data");
		assertThat(get(compose, "services.workflow-keeper.depends_on.redis.condition")).isEqualTo("service_healthy");
	}

	@Test
	void shouldGiveARunningChunkTimeToFinishWhenTheContainerStops() {
		// given
		Duration shutdownTimeout = DurationStyle
			.detectAndParse(recordDefaults.get("keeper.scheduling.shutdown-timeout"));

		// when
		Object grace = get(compose, "services.workflow-keeper.stop_grace_period");

		// then: Docker's own 10 s would kill the worker before its runs end STOPPED
		assertThat(grace).as("stop_grace_period of the worker").isNotNull();
		assertThat(DurationStyle.detectAndParse(grace.toString())).isGreaterThan(shutdownTimeout);
		assertThat(dockerfile.runtime().all("STOPSIGNAL")).allMatch((signal) -> signal.trim().equals("SIGTERM"));
	}

	@Test
	void shouldRunAsANonRootUser() {
		// when
		Stage runtime = dockerfile.runtime();
		String user = runtime.last("USER");

		// then
		assertThat(user).isNotBlank().isNotIn("root", "0", "0:0");
		assertThat(runtime.all("RUN")).anyMatch((run) -> run.contains("useradd") && run.contains(" " + user));
	}

	@Test
	void shouldShipConfigurationAndSchedulesWhereTheWorkerLooksForThem() {
		// given: Spring Boot reads ./config/, the worker reads its schedules from
		// keeper.scheduling.jobs-dir
		Stage runtime = dockerfile.runtime();
		String workdir = runtime.last("WORKDIR");
		String jobsDir = recordDefaults.get("keeper.scheduling.jobs-dir");

		// when
		List<List<String>> copies = runtime.all("COPY").stream().map(ContainerFilesTests::words).toList();
		List<String> mounts = ((List<?>) get(compose, "services.workflow-keeper.volumes")).stream()
			.map(Object::toString)
			.toList();

		// then
		assertThat(copies).contains(List.of("config", resolve(workdir, "./config")),
				List.of("jobs", resolve(workdir, jobsDir)));
		assertThat(mounts).contains("./config:" + resolve(workdir, "./config") + ":ro",
				"./jobs:" + resolve(workdir, jobsDir) + ":ro");
	}

	@Test
	void shouldKeepTheDataFolderOnAVolume() {
		// given
		Stage runtime = dockerfile.runtime();
		String dataDir = runtime.environment()
			.getOrDefault("KEEPER_DATA_DIR", resolve(runtime.last("WORKDIR"), recordDefaults.get("keeper.data-dir")));

		// when
		List<String> volumes = json(runtime.last("VOLUME"));
		List<String> mounts = ((List<?>) get(compose, "services.workflow-keeper.volumes")).stream()
			.map(Object::toString)
			.toList();

		// then
		assertThat(dataDir).isEqualTo("/app/data");
		assertThat(volumes).containsExactly(dataDir);
		assertThat(mounts).anyMatch((mount) -> mount.endsWith(":" + dataDir));
		assertThat(runtime.all("RUN")).anyMatch((run) -> run.contains("mkdir -p " + dataDir) && run.contains("chown"));
	}

	/** The defaults of the {@code keeper.*} properties in the configuration metadata. */
	static Map<String, String> recordDefaults(Path metadata) throws IOException {
		assertThat(metadata).as("the configuration processor's output").exists();
		Map<String, String> defaults = new LinkedHashMap<>();
		for (JsonNode property : JsonMapper.builder()
			.build()
			.readTree(Files.readString(metadata))
			.path("properties")
			.values()) {
			JsonNode value = property.path("defaultValue");
			if (property.path("name").asString().startsWith("keeper.") && !value.isMissingNode() && !value.isNull()) {
				defaults.put(property.path("name").asString(), value.asString());
			}
		}
		return defaults;
	}

	/** The names of the {@code ${NAME…}} placeholders in a YAML tree. */
	static Set<String> placeholders(Object tree) {
		Set<String> names = new LinkedHashSet<>();
		Matcher matcher = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)").matcher(String.valueOf(tree));
		while (matcher.find()) {
			names.add(matcher.group(1));
		}
		return names;
	}

	/** The default of a {@code ${NAME:default}} value, or the value itself. */
	static String defaultOf(Object value) {
		String text = String.valueOf(value);
		Matcher matcher = Pattern.compile("^\\$\\{[A-Z0-9_]+:(.*)}$").matcher(text);
		return matcher.matches() ? matcher.group(1) : text;
	}

	private static String resolve(String workdir, String path) {
		return path.startsWith("/") ? path : Path.of(workdir).resolve(path).normalize().toString();
	}

	static Map<String, String> environment(Object environment) {
		Map<String, String> variables = new LinkedHashMap<>();
		if (environment instanceof Map<?, ?> map) {
			map.forEach((name, value) -> variables.put(name.toString(), String.valueOf(value)));
		}
		else if (environment instanceof List<?> list) {
			for (Object entry : list) {
				String[] parts = entry.toString().split("=", 2);
				variables.put(parts[0], (parts.length > 1) ? parts[1] : "");
			}
		}
		return variables;
	}

	static Object get(Map<String, Object> tree, String path) {
		Object node = tree;
		for (String key : path.split("\\.")) {
			if (!(node instanceof Map<?, ?> map)) {
				return null;
			}
			node = map.get(key);
		}
		return node;
	}

	static Map<String, Object> yaml(Path file) throws IOException {
		return new Yaml().load(Files.readString(file));
	}

	private static List<String> words(String text) {
		return List.of(text.trim().split("\\s+"));
	}

	/** The items of an exec-form (JSON array) argument. */
	private static List<String> json(String text) {
		List<String> items = new ArrayList<>();
		Matcher matcher = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(text);
		while (matcher.find()) {
			items.add(matcher.group(1));
		}
		return items;
	}

	/**
	 * A Dockerfile's stages, each with its instructions in order (continuation lines
	 * joined).
	 */
	record Dockerfile(List<Stage> stages) {

		static Dockerfile parse(String text) {
			List<Stage> stages = new ArrayList<>();
			StringBuilder line = new StringBuilder();
			for (String raw : text.split("\n")) {
				String trimmed = raw.trim();
				if (line.isEmpty() && (trimmed.isEmpty() || trimmed.startsWith("#"))) {
					continue;
				}
				if (trimmed.endsWith("\\")) {
					line.append(trimmed, 0, trimmed.length() - 1).append(' ');
					continue;
				}
				line.append(trimmed);
				String instruction = line.toString();
				line.setLength(0);
				String[] parts = instruction.split("\\s+", 2);
				String keyword = parts[0].toUpperCase();
				String args = (parts.length > 1) ? parts[1].trim() : "";
				if (keyword.equals("FROM")) {
					String[] from = args.split("\\s+");
					stages.add(new Stage((from.length == 3 && from[1].equalsIgnoreCase("AS")) ? from[2] : null,
							new ArrayList<>()));
				}
				else {
					stages.get(stages.size() - 1).instructions().add(new String[] { keyword, args });
				}
			}
			return new Dockerfile(stages);
		}

		Stage runtime() {
			return this.stages.get(this.stages.size() - 1);
		}

	}

	/** One build stage. */
	record Stage(String name, List<String[]> instructions) {

		List<String> all(String keyword) {
			return this.instructions.stream().filter((i) -> i[0].equals(keyword)).map((i) -> i[1]).toList();
		}

		/** The position of the first {@code keyword} instruction that matches. */
		int indexOf(String keyword, Predicate<String> matching) {
			for (int i = 0; i < this.instructions.size(); i++) {
				String[] instruction = this.instructions.get(i);
				if (instruction[0].equals(keyword) && matching.test(instruction[1])) {
					return i;
				}
			}
			throw new AssertionError("no matching " + keyword);
		}

		/** The position of the last {@code keyword} instruction. */
		int lastIndexOf(String keyword) {
			for (int i = this.instructions.size() - 1; i >= 0; i--) {
				if (this.instructions.get(i)[0].equals(keyword)) {
					return i;
				}
			}
			throw new AssertionError("no " + keyword);
		}

		String last(String keyword) {
			List<String> all = all(keyword);
			assertThat(all).as(keyword).isNotEmpty();
			return all.get(all.size() - 1);
		}

		/** The variables its ENV instructions set ({@code ENV A=1 B="x y"}). */
		Map<String, String> environment() {
			Map<String, String> variables = new LinkedHashMap<>();
			Matcher matcher = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|\\S+)")
				.matcher(String.join(" ", all("ENV")));
			while (matcher.find()) {
				String value = matcher.group(2);
				variables.put(matcher.group(1),
						value.startsWith("\"") ? value.substring(1, value.length() - 1) : value);
			}
			return variables;
		}

	}

}
