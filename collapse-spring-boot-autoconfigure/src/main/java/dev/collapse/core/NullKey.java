package dev.collapse.core;

/**
 * Key of a single {@code null} argument: null arguments are allowed, a null key is not. Built by
 * {@link Keys}; one instance, so that it compares by identity.
 */
public final class NullKey {

	/** The only instance. */
	public static final NullKey INSTANCE = new NullKey();

	private NullKey() {
	}

	@Override
	public String toString() {
		return "NullKey";
	}

}
