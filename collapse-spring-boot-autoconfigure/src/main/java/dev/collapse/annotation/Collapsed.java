package dev.collapse.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method once per key at a time: concurrent callers with the same key share
 * one execution and its outcome, and the result is reused for {@link #ttl()} plus a random
 * {@link #jitter()}.
 *
 * <p>Put it on a public method of a Spring bean called through its proxy. The method may return a
 * plain value, {@code Optional}, {@code CompletionStage}/{@code CompletableFuture} or Reactor's
 * {@code Mono}, or nothing: concurrent callers of a {@code void} method share one run, and with a
 * ttl its completion is reused (nothing runs) until the ttl ends. Multi-value types
 * ({@code Flux}, {@code Stream}...) are refused at startup.
 *
 * <p>Every attribute left empty takes {@code collapse.instances.<name>.*}, then
 * {@code collapse.defaults.*}. An attribute that is set is still overridden by
 * {@code collapse.instances.<name>.*}, so operators can tune a deployed method without a build.
 * Durations accept Spring's syntax ({@code 500ms}, {@code 5m}, {@code PT5M}) and
 * {@code ${...}} placeholders.
 *
 * <p>The method that changes the data behind the results evicts them with {@link CollapseEvict}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Collapsed {

	/**
	 * Instance name: metric tag, key of {@code collapse.instances.*} and namespace of entries.
	 * Defaults to {@code <SimpleClassName>.<methodName>}. Methods that share a name share entries.
	 */
	String name() default "";

	/**
	 * SpEL expression over the arguments that gives the key ({@code #id}, {@code #p0},
	 * {@code #a0}, {@code #root.args}, {@code #root.methodName}). Defaults to all the arguments.
	 */
	String key() default "";

	/**
	 * How long a result is reused. {@code "0"} collapses concurrent calls only and keeps nothing.
	 */
	String ttl() default "";

	/**
	 * Random extra time to live, uniform in {@code [0, jitter]}: a duration, or a percentage of
	 * the ttl such as {@code "10%"}.
	 */
	String jitter() default "";

	/**
	 * Longest time a caller waits for another caller's load before it gets a
	 * {@link dev.collapse.core.CollapseTimeoutException}. The load goes on for the others.
	 */
	String waitTimeout() default "";

	/**
	 * Longest time a load holds its key. Past it the key is released, in this JVM and in Redis: the
	 * next caller starts a new load, and the late result of the first one is stored nowhere.
	 */
	String loadTimeout() default "";

	/**
	 * How long a failed load's exception is served to the callers of its key instead of a new
	 * load, plus the jitter (a share of it, or at most as much again): while an upstream is down,
	 * one load per window reaches it. {@code "0"} caches no failure. With Redis, other nodes get a
	 * {@link dev.collapse.core.CollapseRemoteLoadException} naming the failure's type and message.
	 */
	String failureTtl() default "";

}
