package dev.collapse.aop;

/** Argument types of key tests; public, so that {@code #ref.id} takes the getter fast path. */
public final class KeyArguments {

	private KeyArguments() {
	}

	/** Read by its record accessor {@code id()}. */
	public record ProductRef(String id) {
	}

	/** Read by its JavaBeans getter {@code getId()}. */
	public static final class LegacyRef {

		private final String id;

		public LegacyRef(String id) {
			this.id = id;
		}

		public String getId() {
			return this.id;
		}

	}

}
