package dev.workflowkeeper;

import dev.workflowkeeper.cli.KeeperCommandLine;
import dev.workflowkeeper.pace.CoreShare;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The workflow-keeper worker. {@link #main} hands the arguments to the command line,
 * which boots this application for the command it runs ({@code serve} by default).
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class WorkflowKeeperApplication {

	public static void main(String[] args) {
		// before anything else starts threads: the application's start keeps off the
		// spare
		// cores too
		CoreShare.atStart();
		System.exit(KeeperCommandLine.run(args));
	}

}
