package dev.collapse.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** The {@link Collapser} of {@code collapse.enabled=false}: every call runs its loader. */
public final class PassThroughCollapser implements Collapser {

	@Override
	public <T> T collapse(String name, Object key, Supplier<T> loader) {
		return loader.get();
	}

	@Override
	public <T> CompletableFuture<T> collapseAsync(String name, Object key,
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
