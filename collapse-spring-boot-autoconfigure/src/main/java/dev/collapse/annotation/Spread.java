package dev.collapse.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Starts each run of a {@code @Scheduled(cron = ...)} {@code void} method at a random delay after
 * its fire time (a fixed rate or delay has no fire time and is refused at startup), uniform in {@code [0, value]}, so that a job every node must run does not start on every
 * node in the same second.
 *
 * <p>The delay holds no thread: the fire hands the run to the same task scheduler for its start
 * time and returns, so the scheduler's threads (one, by default) stay free for other fires. Keep
 * the spread below the period, or runs of one node may overlap. Called directly rather than by the
 * scheduler (also by another scheduled job), the method runs at once.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface Spread {

	/** Longest delay: a duration such as {@code "30s"}, or a {@code ${...}} placeholder. */
	String value();

}
