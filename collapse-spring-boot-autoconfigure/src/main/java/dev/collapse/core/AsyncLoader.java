package dev.collapse.core;

import java.util.concurrent.CompletionStage;

import org.jspecify.annotations.Nullable;

/**
 * A load that returns a stage completed later with its result. Called at most once per attempt,
 * on the thread of the caller that leads the key (with Redis, a {@link CollapseExecutor} thread
 * once the lease is taken) or on a background thread for an early refresh; for one key it never
 * runs twice at a time in this JVM.
 * The stage may complete on any thread. Cancelling a caller's future never cancels the stage.
 */
@FunctionalInterface
public interface AsyncLoader {

	/**
	 * @return the stage of the result, whose value may be {@code null}; a {@code null} stage, a
	 * stage completed exceptionally or an exception thrown here counts as a failed load, whose
	 * exception reaches every caller that waited for it
	 */
	@Nullable CompletionStage<?> load() throws Throwable;

}
