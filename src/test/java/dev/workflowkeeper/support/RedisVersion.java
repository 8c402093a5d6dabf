package dev.workflowkeeper.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import dev.workflowkeeper.support.RedisServerProcess.Version;

/**
 * Which shared server a {@link RedisDatabase} parameter is a database of; without it, the
 * {@link Version#DEFAULT} one.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface RedisVersion {

	Version value();

}
