package dev.collapse.aop;

import dev.collapse.core.CollapseException;

/**
 * The key of a call could not be computed: the key expression failed or yielded {@code null}.
 * The message names the method and the expression, never an argument's value.
 */
public class CollapseKeyException extends CollapseException {

	private static final long serialVersionUID = 1L;

	public CollapseKeyException(String message) {
		super(message);
	}

	public CollapseKeyException(String message, Throwable cause) {
		super(message, cause);
	}

}
