package dev.workflowkeeper.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.PropertySourcesPlaceholdersResolver;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.FileSystemResource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The configuration as documented and shipped, read against the metadata the build writes
 * from the properties records ({@code META-INF/spring-configuration-metadata.json}),
 * where every {@code keeper.*} default is declared: the table of
 * {@code docs/configuration.md} lists exactly those settings with those defaults, each
 * variable it names sets its setting, the built-in {@code application.yml} only maps
 * variables and binds to the records' defaults when none is set, and
 * {@code config/application.yml} shows the defaults it comments out as the records
 * declare them.
 */
class ConfigurationDocsTests {

	static final Path ROOT = Path.of("").toAbsolutePath();

	static final Path METADATA = ROOT.resolve("target/classes/META-INF/spring-configuration-metadata.json");

	static final Path BUILT_IN = ROOT.resolve("src/main/resources/application.yml");

	static final Path OPERATOR = ROOT.resolve("config/application.yml");

	/** How the table writes "no default". */
	static final String NONE = "—";

	/** {@code ${NAME:fallback}}, the form of a mapped environment variable. */
	static final Pattern MAPPING = Pattern.compile("^\\$\\{([A-Z][A-Z0-9_]*):(.*)}$");

	static Map<String, String> recordDefaults;

	static List<Row> table;

	@BeforeAll
	static void readFiles() throws IOException {
		recordDefaults = recordDefaults();
		table = Row.parse(Files.readString(ROOT.resolve("docs/configuration.md")));
	}

	@Test
	void shouldDocumentEverySettingTheRecordsDeclare() {
		// when
		List<String> documented = table.stream().map(Row::setting).toList();

		// then
		assertThat(recordDefaults).isNotEmpty().containsKeys("keeper.redis.url", "keeper.maintenance.skip-limit");
		assertThat(documented).containsAll(recordDefaults.keySet()).doesNotHaveDuplicates();
	}

	@Test
	void shouldDocumentOnlySettingsTheRecordsDeclare() {
		// when
		List<String> documented = table.stream()
			.map(Row::setting)
			.filter((setting) -> setting.startsWith("keeper."))
			.toList();

		// then
		assertThat(recordDefaults.keySet()).containsAll(documented);
	}

	@Test
	void shouldDocumentTheRecordsDefaults() {
		// when
		Map<String, String> documented = new TreeMap<>();
		Map<String, String> declared = new TreeMap<>();
		for (Row row : table) {
			if (recordDefaults.containsKey(row.setting())) {
				documented.put(row.setting(), row.defaultValue());
				declared.put(row.setting(),
						recordDefaults.get(row.setting()).isEmpty() ? NONE : recordDefaults.get(row.setting()));
			}
		}

		// then
		assertThat(documented).isEqualTo(declared);
	}

	@Test
	void shouldSetEachDocumentedSettingFromItsVariable() throws IOException {
		for (Row row : table) {
			if (row.variable().equals(NONE)) {
				continue;
			}
			// given: the variable set in the environment, which comes before every file
			String value = "value-of-" + row.variable();
			MutablePropertySources sources = shippedFiles();
			sources.addFirst(
					new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
							Map.<String, Object>of(row.variable(), value)));

			// when
			String bound = binder(sources).bind(row.setting(), String.class).orElse(null);

			// then
			assertThat(bound).as(row.variable() + " → " + row.setting()).isEqualTo(value);
		}
	}

	@Test
	void shouldBindTheRecordsDefaultsWhenNoVariableIsSet() throws Exception {
		// given
		Binder shipped = binder(shippedFiles());
		Binder empty = binder(new MutablePropertySources());

		for (Map.Entry<String, Class<?>> properties : propertiesRecords().entrySet()) {
			// when
			Object bound = shipped.bindOrCreate(properties.getKey(), Bindable.of(properties.getValue()));
			Object defaults = empty.bindOrCreate(properties.getKey(), Bindable.of(properties.getValue()));

			// then
			assertThat(bound).as(properties.getKey()).isEqualTo(defaults);
		}
	}

	@Test
	void shouldDeclareEachDefaultOnlyInTheRecords() throws IOException {
		// when
		Map<String, Object> builtIn = keeperSettings(new Yaml().load(Files.readString(BUILT_IN)));
		Map<String, Object> operator = keeperSettings(new Yaml().load(Files.readString(OPERATOR)));

		// then: the built-in file maps variables, falling back to nothing or to the
		// record's default
		assertThat(builtIn).isNotEmpty();
		builtIn.forEach((setting, value) -> {
			Matcher mapping = MAPPING.matcher(String.valueOf(value));
			assertThat(mapping.matches()).as(setting + ": " + value + " is a ${VARIABLE:…} mapping").isTrue();
			assertThat(mapping.group(2)).as(setting + " falls back to").isIn("", recordDefaults.get(setting));
		});
		// the operator's file sets only what differs from the records
		operator.forEach((setting, value) -> assertThat(String.valueOf(value)).as(setting)
			.isNotEqualTo(recordDefaults.get(setting)));
	}

	@Test
	void shouldShowTheRecordsDefaultsWhereTheOperatorsFileCommentsThemOut() throws IOException {
		// given: "#keeper:" and "# chunk-size: 1000" are commented-out settings, "# Text"
		// is prose
		String uncommented = Files.readAllLines(OPERATOR)
			.stream()
			.map((line) -> line.matches("#(?! \\S).*") ? line.substring(1) : line)
			.collect(Collectors.joining("\n"));

		// when
		Map<String, Object> shown = keeperSettings(new Yaml().load(uncommented));

		// then
		assertThat(shown).isNotEmpty();
		assertThat(recordDefaults.keySet()).containsAll(shown.keySet());
		shown.forEach((setting, value) -> assertThat(String.valueOf(value)).as(setting)
			.isEqualTo(recordDefaults.get(setting)));
	}

	/**
	 * The {@code keeper.*} properties of the metadata and their defaults as it writes
	 * them ("" for none).
	 */
	static Map<String, String> recordDefaults() throws IOException {
		Map<String, String> defaults = new TreeMap<>();
		for (JsonNode property : metadata().path("properties").values()) {
			String name = property.path("name").asString();
			if (name.startsWith("keeper.")) {
				JsonNode value = property.path("defaultValue");
				defaults.put(name, (value.isMissingNode() || value.isNull()) ? "" : value.asString());
			}
		}
		return defaults;
	}

	/** Each {@code @ConfigurationProperties} record of the worker by its prefix. */
	private static Map<String, Class<?>> propertiesRecords() throws Exception {
		Map<String, Class<?>> records = new TreeMap<>();
		for (JsonNode group : metadata().path("groups").values()) {
			String name = group.path("name").asString();
			String type = group.path("type").asString();
			if (name.startsWith("keeper") && type.equals(group.path("sourceType").asString())) {
				records.put(name, Class.forName(type));
			}
		}
		assertThat(records).containsKeys("keeper", "keeper.ops", "keeper.retention", "keeper.scheduling");
		return records;
	}

	private static JsonNode metadata() throws IOException {
		assertThat(METADATA).as("the configuration processor's output").exists();
		return JsonMapper.builder().build().readTree(Files.readString(METADATA));
	}

	/**
	 * The built-in file below the operator's, as Spring Boot orders them; no environment.
	 */
	private static MutablePropertySources shippedFiles() throws IOException {
		MutablePropertySources sources = new MutablePropertySources();
		YamlPropertySourceLoader loader = new YamlPropertySourceLoader();
		for (PropertySource<?> source : loader.load("config/application.yml", new FileSystemResource(OPERATOR))) {
			sources.addLast(source);
		}
		for (PropertySource<?> source : loader.load("application.yml", new FileSystemResource(BUILT_IN))) {
			sources.addLast(source);
		}
		return sources;
	}

	private static Binder binder(MutablePropertySources sources) {
		return new Binder(ConfigurationPropertySources.from(sources), new PropertySourcesPlaceholdersResolver(sources));
	}

	/** The leaves under {@code keeper} of a YAML tree, by their dotted names. */
	private static Map<String, Object> keeperSettings(Map<String, Object> tree) {
		Map<String, Object> settings = new LinkedHashMap<>();
		if (tree != null && tree.get("keeper") instanceof Map<?, ?> keeper) {
			flatten("keeper", keeper, settings);
		}
		return settings;
	}

	private static void flatten(String prefix, Map<?, ?> tree, Map<String, Object> settings) {
		tree.forEach((key, value) -> {
			String name = prefix + "." + key;
			if (value instanceof Map<?, ?> map) {
				flatten(name, map, settings);
			}
			else {
				settings.put(name, (value != null) ? value : "");
			}
		});
	}

	/**
	 * A row of the table whose header is
	 * {@code | variable | setting | default | meaning |}; a cell holds one
	 * {@code `value`}, or {@value #NONE}.
	 */
	record Row(String variable, String setting, String defaultValue) {

		static final Pattern CODE = Pattern.compile("`([^`]*)`");

		static List<Row> parse(String markdown) {
			List<Row> rows = new ArrayList<>();
			boolean inTable = false;
			for (String line : markdown.split("\n")) {
				if (!line.startsWith("|")) {
					inTable = false;
					continue;
				}
				List<String> cells = cells(line);
				if (cells.equals(List.of("variable", "setting", "default", "meaning"))) {
					inTable = true;
				}
				else if (inTable && !cells.get(0).startsWith("---")) {
					rows.add(new Row(code(cells.get(0)), code(cells.get(1)), code(cells.get(2))));
				}
			}
			assertThat(rows).as("rows of the configuration table").isNotEmpty();
			return rows;
		}

		private static List<String> cells(String line) {
			String inner = line.substring(1, line.lastIndexOf('|'));
			return List.of(inner.split("(?<!\\\\)\\|")).stream().map(String::trim).toList();
		}

		private static String code(String cell) {
			if (cell.equals(NONE)) {
				return NONE;
			}
			Matcher matcher = CODE.matcher(cell);
			assertThat(matcher.find()).as("a `value` in " + cell).isTrue();
			return matcher.group(1).replace("\\|", "|");
		}

	}

}
