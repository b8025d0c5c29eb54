package dev.collapse.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs a {@code @Scheduled(cron = ...)} method on one node of the fleet for each nominal fire time
 * of its cron expression: the time the trigger chose, not the time a node's clock or thread got
 * to it, so a node that fires late, a clock a few seconds off and a node started mid-period all
 * name the same fire time, and the fleet runs it once.
 *
 * <p>The fire time is the key of a collapse instance: the first node takes its lease in Redis
 * (renewed while the job runs), runs the job, and stores its completion for {@link #keep()}; the
 * other nodes wait at most {@link #waitTimeout()} for that outcome, then skip. A run whose node
 * died (its lease ended and no completion was stored) is found at a later fire time by one node
 * and counted as {@code lost}; it is not run again. Without Redis ({@code collapse.redis.enabled})
 * every node runs every fire time, once per JVM.
 *
 * <p>Refused at startup on a method that does not return {@code void} or has no
 * {@code @Scheduled(cron = ...)}: fixed rates and delays count from each node's start, so their
 * fire times differ from node to node. Called directly rather than by the scheduler, the method
 * runs as a plain call. A run holds its fire time for at most {@link #keep()}, or the instance's
 * {@code collapse.instances.<name>.load-timeout} when set (not the default of cached loads).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface OncePerFleet {

	/**
	 * Instance name: metric tag and key namespace. Defaults to {@code <SimpleClassName>.<methodName>}.
	 * One name is one job: a name that another method or bean class already took is refused at startup.
	 */
	String name() default "";

	/**
	 * How long the completion of a fire time is kept, so that a node that fires later skips it.
	 * Defaults to twice the longest time between two fire times (measured over the year ahead and
	 * at most 2,000 fire times), at least one minute: a node that skipped a fire time reads its
	 * completion at its own next fire, which may come after the cron's longest gap.
	 */
	String keep() default "";

	/**
	 * Longest time a node that does not run the job waits for the outcome of the node that does,
	 * holding its scheduler thread, before it skips the fire time.
	 */
	String waitTimeout() default "500ms";

}
