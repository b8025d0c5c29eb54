package dev.collapse.core;

import java.util.concurrent.CompletionStage;

/**
 * A load that returns a stage completed later with its result. Throwing from {@link #load()} or
 * returning {@code null} counts as a failed load.
 */
@FunctionalInterface
public interface AsyncLoader {

	CompletionStage<?> load() throws Throwable;

}
