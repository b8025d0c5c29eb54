package dev.collapse.aop;

import org.jspecify.annotations.Nullable;

/** Computes the key of one call of one method. */
@FunctionalInterface
interface KeyFunction {

	/**
	 * @param target the bean called, {@code null} when the invocation has none
	 * @param args the call's arguments, any of them {@code null}
	 * @return the key, never {@code null}, made by {@link dev.collapse.core.Keys}
	 * @throws CollapseKeyException if the key cannot be computed
	 */
	Object key(@Nullable Object target, @Nullable Object[] args);

}
