package dev.collapse.aop;

/** Computes the key of one call of one method. */
@FunctionalInterface
interface KeyFunction {

	/**
	 * @return the key, never {@code null}
	 * @throws CollapseKeyException if the key cannot be computed
	 */
	Object key(Object target, Object[] args);

	/** Makes {@code value} usable as a map key: arrays compare by content. */
	static Object normalize(Object value) {
		if (value == null) {
			return NullKey.INSTANCE;
		}
		if (value.getClass().isArray()) {
			return new CompositeKey(new Object[] { value });
		}
		return value;
	}

}
