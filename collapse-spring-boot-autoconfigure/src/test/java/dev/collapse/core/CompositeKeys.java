package dev.collapse.core;

/** Builds composite keys of any parts, for tests of other packages ({@link Keys} builds only those of calls). */
public final class CompositeKeys {

	private CompositeKeys() {
	}

	public static CompositeKey of(Object... parts) {
		return new CompositeKey(parts);
	}

}
