package dev.workflowkeeper.ops;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operator who may use the protected actuator endpoints ({@code keeper.ops.*}).
 *
 * @param adminUser the user name of the operator, the one user of the protected endpoints
 * and the dashboard (HTTP basic)
 * @param adminPassword the operator's password; without one every protected endpoint
 * stays closed
 */
@ConfigurationProperties("keeper.ops")
record OpsProperties(@DefaultValue("admin") String adminUser, @DefaultValue("") String adminPassword) {

	boolean hasPassword() {
		return this.adminPassword != null && !this.adminPassword.isBlank();
	}

}
