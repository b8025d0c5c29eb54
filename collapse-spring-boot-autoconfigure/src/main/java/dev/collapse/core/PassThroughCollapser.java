package dev.collapse.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * The {@link Collapser} of {@code collapse.enabled=false}: every call runs its loader on the
 * calling thread and returns what it returns (the loader's own stage, for the asynchronous form),
 * nothing is stored or shared, and evictions do nothing. Stateless and thread-safe.
 */
public final class PassThroughCollapser implements Collapser {

	@Override
	public <T extends @Nullable Object> T collapse(String name, Object key, Supplier<T> loader) {
		return loader.get();
	}

	@Override
	public <T extends @Nullable Object> CompletableFuture<T> collapseAsync(String name, Object key,
			Supplier<? extends CompletionStage<T>> loader) {
		return loader.get().toCompletableFuture();
	}

	@Override
	public void evict(String name, Object key) {
	}

	@Override
	public void evictAll(String name) {
	}

}
