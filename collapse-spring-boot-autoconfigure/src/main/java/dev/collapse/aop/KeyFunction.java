package dev.collapse.aop;

/** Computes the key of one call of one method. */
@FunctionalInterface
interface KeyFunction {

	/**
	 * @return the key, never {@code null}, made by {@link dev.collapse.core.Keys}
	 * @throws CollapseKeyException if the key cannot be computed
	 */
	Object key(Object target, Object[] args);

}
