package dev.collapse.aop;

/** Builds the keys the aop layer builds, for tests of other packages. */
public final class CompositeKeys {

	private CompositeKeys() {
	}

	public static CompositeKey of(Object... parts) {
		return new CompositeKey(parts);
	}

}
