package dev.collapse.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Collapses loads without the annotation, and evicts stored results. Instances named here share
 * settings, entries and loads in flight with {@code @Collapsed} methods of the same name; a name
 * used only here takes {@code collapse.instances.<name>.*} over {@code collapse.defaults.*}.
 */
public interface Collapser {

	/**
	 * Returns the stored result of ({@code name}, {@code key}), or runs {@code loader} once for all
	 * the callers that ask for that key while it runs. The loader runs on the calling thread when
	 * this call leads. Applied at most once per key at a time in this JVM; a failed load is not
	 * stored and its exception reaches every caller that waited for it.
	 * @throws CollapseTimeoutException if this caller waited longer than the wait timeout
	 * @throws CollapseInterruptedException if this caller was interrupted while it waited
	 * @throws CollapseRecursionException if the loader of this key called this key again
	 */
	<T> T collapse(String name, Object key, Supplier<T> loader);

	/**
	 * Asynchronous form of {@link #collapse}. Each caller gets a future of its own: cancelling it
	 * never cancels the shared load.
	 */
	<T> CompletableFuture<T> collapseAsync(String name, Object key, Supplier<? extends CompletionStage<T>> loader);

	/** Drops the stored result of ({@code name}, {@code key}). A load in flight goes on. */
	void evict(String name, Object key);

	/** Drops every stored result of {@code name}. Loads in flight go on. */
	void evictAll(String name);

}
