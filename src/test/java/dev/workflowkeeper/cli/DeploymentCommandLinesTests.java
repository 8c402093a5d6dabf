package dev.workflowkeeper.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command lines the Kubernetes example runs, parsed by the worker's own command line:
 * a typo or a missing option there would only show when the pod starts.
 */
class DeploymentCommandLinesTests {

	@Test
	void shouldParseTheMigrationJobsArgumentsAsAMigrateCommand() throws IOException {
		// given
		List<String> args = args("Job");

		// when
		ParseResult parsed = commandLine().parseArgs(args.toArray(String[]::new));

		// then
		assertThat(parsed.hasSubcommand()).isTrue();
		ParseResult migrate = parsed.subcommand();
		assertThat(migrate.commandSpec().name()).isEqualTo("migrate");
		assertThat(migrate.unmatched()).isEmpty();
		assertThat(migrate.<String>matchedOptionValue("--from", null)).startsWith("snapshot:/import/");
		assertThat(migrate.<String>matchedOptionValue("--to", null)).startsWith("redis://");
	}

	@Test
	void shouldParseTheWorkersArgumentsAsServe() throws IOException {
		// when
		ParseResult parsed = commandLine().parseArgs(args("Deployment").toArray(String[]::new));

		// then
		assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("serve");
	}

	private static CommandLine commandLine() {
		return KeeperCommandLine.commandLine(
				new Boot(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of(), false));
	}

	/** The arguments of the one container of the resource of this kind. */
	private static List<String> args(String kind) throws IOException {
		for (Object document : new Yaml()
			.loadAll(Files.readString(Path.of("deploy/kubernetes/workflow-keeper.yaml")))) {
			Map<?, ?> resource = (Map<?, ?>) document;
			if (kind.equals(resource.get("kind"))) {
				Map<?, ?> pod = (Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) resource.get("spec")).get("template"))
					.get("spec");
				Map<?, ?> container = (Map<?, ?>) ((List<?>) pod.get("containers")).get(0);
				return ((List<?>) container.get("args")).stream().map(String::valueOf).toList();
			}
		}
		throw new AssertionError("no " + kind + " in the Kubernetes example");
	}

}
