package dev.collapse.core;

/** A load that returns its result directly. It may throw anything; callers get it as thrown. */
@FunctionalInterface
public interface Loader {

	Object load() throws Throwable;

}
