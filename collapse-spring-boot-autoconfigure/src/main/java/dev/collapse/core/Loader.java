package dev.collapse.core;

import org.jspecify.annotations.Nullable;

/**
 * A load that returns its result directly. Called at most once per attempt (a retry calls it
 * again), on the thread of the caller that leads the key or on a background thread for an early
 * refresh; for one key it never runs twice at a time in this JVM.
 */
@FunctionalInterface
public interface Loader {

	/**
	 * @return the result, possibly {@code null}
	 * @throws Throwable anything: every caller that waited for this load gets the same exception,
	 * unwrapped, and nothing is stored
	 */
	@Nullable Object load() throws Throwable;

}
