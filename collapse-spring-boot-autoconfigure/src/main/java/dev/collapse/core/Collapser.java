package dev.collapse.core;

import java.lang.reflect.Type;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;

/**
 * Collapses loads without the annotation, and evicts stored results. Instances named here share
 * settings, entries and loads in flight with {@code @Collapsed} methods of the same name; a name
 * used only here takes {@code collapse.instances.<name>.*} over {@code collapse.defaults.*}.
 *
 * <p>With Redis on ({@code collapse.redis.enabled=true}), results are shared through Redis as
 * JSON and read back as a declared type. Give the type with the overloads that take one
 * ({@code Product.class}, or a {@link Type} such as a {@code ParameterizedTypeReference}'s for
 * {@code List<Product>}). A name first used without a type, and not used by a {@code @Collapsed}
 * method, is collapsed in this JVM only: nothing is written to or read from Redis for it.
 *
 * <p>Keys are made as {@code @Collapsed} makes them ({@link Keys#normalize}): two arrays of equal
 * content are one key, in this JVM as in Redis, and the key of a method with several parameters is
 * {@link Keys#ofArguments} of the same values. A key must not be {@code null}. With Redis on, a
 * key is shared with the fleet only if it is written faithfully (strings, numbers, enums, UUIDs,
 * {@code java.time} values, records and collections of these, or through a {@link KeyEncoder});
 * any other key is collapsed in this JVM only, counted as a fallback.
 */
public interface Collapser {

	/**
	 * Returns the stored result of ({@code name}, {@code key}), or runs {@code loader} once for all
	 * the callers that ask for that key while it runs. The loader runs on the calling thread when
	 * this call leads. Applied at most once per key at a time in this JVM; a failed load's exception
	 * reaches every caller that waited for it, and is stored only when the instance sets a
	 * failure-ttl (then served to the key's callers for that window).
	 * @throws CollapseTimeoutException if this caller waited longer than the wait timeout
	 * @throws CollapseInterruptedException if this caller was interrupted while it waited
	 * @throws CollapseRecursionException if the loader of this key called this key again
	 */
	<T extends @Nullable Object> T collapse(String name, Object key, Supplier<T> loader);

	/**
	 * Asynchronous form of {@link #collapse}. Each caller gets a future of its own: cancelling it
	 * never cancels the shared load. The loader is called on the calling thread when this call
	 * leads (on a thread of the Redis layer with Redis on); a loader that throws, returns
	 * {@code null} or a stage that fails fails every waiting caller's future with that exception.
	 * A follower's future fails with {@link CollapseTimeoutException} after the wait timeout.
	 */
	<T extends @Nullable Object> CompletableFuture<T> collapseAsync(String name, Object key,
			Supplier<? extends CompletionStage<T>> loader);

	/**
	 * {@link #collapse(String, Object, Supplier)} with results of {@code type}, so that they can be
	 * shared through Redis. Every user of {@code name} must give the same type.
	 * @throws IllegalStateException if {@code name} exists with another type while Redis is on
	 * @throws IllegalArgumentException if Redis is on and values of {@code type} cannot be read
	 * back safely (an interface or {@code Object})
	 */
	default <T extends @Nullable Object> T collapse(String name, Object key, Type type, Supplier<T> loader) {
		return collapse(name, key, loader);
	}

	/** {@link #collapse(String, Object, Type, Supplier)} for a plain class. */
	default <T extends @Nullable Object> T collapse(String name, Object key, Class<T> type, Supplier<T> loader) {
		return collapse(name, key, (Type) type, loader);
	}

	/**
	 * {@link #collapseAsync(String, Object, Supplier)} with results of {@code type} (the {@code T}
	 * of the future), so that they can be shared through Redis.
	 */
	default <T extends @Nullable Object> CompletableFuture<T> collapseAsync(String name, Object key, Type type,
			Supplier<? extends CompletionStage<T>> loader) {
		return collapseAsync(name, key, loader);
	}

	/** {@link #collapseAsync(String, Object, Type, Supplier)} for a plain class. */
	default <T extends @Nullable Object> CompletableFuture<T> collapseAsync(String name, Object key, Class<T> type,
			Supplier<? extends CompletionStage<T>> loader) {
		return collapseAsync(name, key, (Type) type, loader);
	}

	/**
	 * Drops the stored result of ({@code name}, {@code key}), in this JVM and, with Redis on, in
	 * Redis. Once this returns, no caller joins a load of the key that began before it, and that
	 * load's result is stored nowhere, on any node (other nodes act when the eviction's message
	 * reaches them); the callers that had joined it still get its value. A failure to reach
	 * Redis is logged, never thrown. With Redis on, the entry in Redis goes even for a name this
	 * JVM has not used: other nodes may have stored it.
	 */
	void evict(String name, Object key);

	/**
	 * Drops every stored result of {@code name}, in this JVM and, with Redis on, across the fleet,
	 * with the guarantee of {@link #evict} for every load in flight. A failure to reach Redis is
	 * logged, never thrown.
	 */
	void evictAll(String name);

}
