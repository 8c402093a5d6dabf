package dev.workflowkeeper.pace;

import java.util.List;

import org.springframework.batch.core.job.Job;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Registers {@link JobPaces} on every job once they all exist. */
@Configuration(proxyBeanMethods = false)
class PaceConfiguration {

	@Bean
	static SmartInitializingSingleton jobPacesListening(ObjectProvider<JobPaces> paces,
			ObjectProvider<List<Job>> jobs) {
		return () -> paces.getObject().listenTo(jobs.getIfAvailable(List::of));
	}

}
