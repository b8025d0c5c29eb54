package dev.collapse.core;

/**
 * A load called its own (instance, key) again on the same thread. Waiting for itself would never
 * end, so the inner call fails at once instead.
 */
public class CollapseRecursionException extends CollapseException {

	private static final long serialVersionUID = 1L;

	public CollapseRecursionException(String instance) {
		super("Recursive call of collapse instance '" + instance
				+ "' for the key it is loading: the load would wait for itself. Call the undecorated code "
				+ "from inside the load, or use another key");
	}

}
