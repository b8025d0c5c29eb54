package dev.collapse.redis;

/** Spring Boot properties that point at a Redis. */
@FunctionalInterface
public interface RedisProperties {

	String[] properties();

}
