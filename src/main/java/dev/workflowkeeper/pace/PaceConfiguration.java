package dev.workflowkeeper.pace;

import java.util.List;

import org.springframework.batch.core.job.Job;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Registers {@link JobPaces} on every job as it is created: a one-off command, whose
 * beans are created lazily, creates the one job it runs and no other.
 */
@Configuration(proxyBeanMethods = false)
class PaceConfiguration {

	@Bean
	static BeanPostProcessor jobPacesListening(ObjectProvider<JobPaces> paces) {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (bean instanceof Job job) {
					paces.getObject().listenTo(List.of(job));
				}
				return bean;
			}
		};
	}

}
