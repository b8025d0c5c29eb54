package dev.collapse.core;

import org.jspecify.annotations.Nullable;

/**
 * A load that takes one argument, so that a caller can pass a shared, stateless loader with its
 * argument instead of creating a loader object per call. Runs as a {@link Loader} does: at most
 * once per attempt, never twice at a time for one key in this JVM; what it throws reaches every
 * caller that waited for it, unwrapped.
 *
 * @param <C> the argument's type
 */
@FunctionalInterface
public interface ContextLoader<C> {

	/** @return the result, possibly {@code null} */
	@Nullable Object load(C context) throws Throwable;

}
