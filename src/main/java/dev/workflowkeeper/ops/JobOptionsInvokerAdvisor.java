package dev.workflowkeeper.ops;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import dev.workflowkeeper.ops.WorkflowJobsEndpoint.JobOptions;

import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.OperationArgumentResolver;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvoker;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameter;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameters;
import org.springframework.stereotype.Component;

/**
 * Gives an operation parameter of type {@link JobOptions} every argument of the request
 * that no other parameter of the operation takes: the whole JSON body of a launch, so
 * that the options of any job can be read and an unknown one refused (actuator itself
 * binds body keys to parameters by name and silently drops the rest).
 */
@Component
class JobOptionsInvokerAdvisor implements OperationInvokerAdvisor {

	@Override
	public OperationInvoker apply(EndpointId endpointId, OperationType operationType, OperationParameters parameters,
			OperationInvoker invoker) {
		if (parameters.stream().noneMatch((parameter) -> parameter.getType() == JobOptions.class)) {
			return invoker;
		}
		Set<String> taken = parameters.stream()
			.filter((parameter) -> parameter.getType() != JobOptions.class)
			.map(OperationParameter::getName)
			.collect(Collectors.toSet());
		return (context) -> {
			Map<String, Object> options = new LinkedHashMap<>(context.getArguments());
			options.keySet().removeAll(taken);
			// A null stays: {"dryRun": null} is refused by the job, not taken for its
			// default.
			OperationArgumentResolver original = new OperationArgumentResolver() {

				@Override
				public boolean canResolve(Class<?> type) {
					return context.canResolve(type);
				}

				@Override
				public <T> T resolve(Class<T> type) {
					return context.resolveArgument(type);
				}

			};
			InvocationContext withOptions = new InvocationContext(context.resolveArgument(SecurityContext.class),
					context.getArguments(),
					OperationArgumentResolver.of(JobOptions.class, () -> new JobOptions(options)), original);
			return invoker.invoke(withOptions);
		};
	}

}
