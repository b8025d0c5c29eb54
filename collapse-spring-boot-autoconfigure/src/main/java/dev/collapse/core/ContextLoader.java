package dev.collapse.core;

/**
 * A load that takes one argument, so that a caller can pass a shared, stateless loader with its
 * argument instead of creating a loader object per call.
 *
 * @param <C> the argument's type
 */
@FunctionalInterface
public interface ContextLoader<C> {

	Object load(C context) throws Throwable;

}
