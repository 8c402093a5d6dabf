package dev.workflowkeeper.ops;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operator who may use the protected actuator endpoints ({@code keeper.ops.*}).
 *
 * @param adminUser the operator's user name
 * @param adminPassword the operator's password; blank keeps every protected endpoint closed
 */
@ConfigurationProperties("keeper.ops")
record OpsProperties(@DefaultValue("admin") String adminUser, String adminPassword) {

	boolean hasPassword() {
		return this.adminPassword != null && !this.adminPassword.isBlank();
	}

}
