package dev.collapse.aop;

/** Key of a single {@code null} argument: null arguments are allowed, a null key is not. */
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
