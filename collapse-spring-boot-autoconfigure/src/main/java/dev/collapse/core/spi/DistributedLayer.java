package dev.collapse.core.spi;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.CollapseSettings;

/**
 * Fleet-wide collapsing (the Redis layer), seen from the core: one per node. The registry asks it
 * for the coordinator of each instance that has a value type, once, when the instance is created;
 * calls may come from several threads at once.
 */
public interface DistributedLayer {

	/**
	 * The coordinator of the instance {@code name}, whose results are of {@code valueType} (a
	 * method's return type, already unwrapped from {@code Mono<T>} or {@code CompletableFuture<T>}).
	 * @throws IllegalArgumentException if values of {@code valueType} cannot be read back safely;
	 * the message names the type and the way out
	 */
	DistributedCoordinator coordinator(String name, CollapseSettings settings, Type valueType);

	/**
	 * {@link DistributedCoordinator#evict} for a name that has no coordinator on this node: other
	 * nodes may have stored it. A failure is logged, never thrown.
	 * @return whether the fleet's store had an entry; false when it could not be asked
	 */
	boolean evict(String name, Object key);

	/**
	 * {@link DistributedCoordinator#evictAll} for a name that has no coordinator on this node. A
	 * failure is logged, never thrown.
	 * @return whether the fleet could be told
	 */
	boolean evictAll(String name);

	/**
	 * Why no key of the declared type {@code keyType} can be shared with the fleet, or
	 * {@code null} if some can: those keys are then checked when called, and one that cannot be
	 * shared is collapsed in its JVM only. Asked at startup, so that a method whose keys can never
	 * be shared is refused before its first call (docs/design.md, Keys).
	 */
	default @Nullable String unsupportedKeyType(Type keyType) {
		return null;
	}

}
