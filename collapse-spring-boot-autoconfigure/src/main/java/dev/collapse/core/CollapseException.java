package dev.collapse.core;

import org.jspecify.annotations.Nullable;

/**
 * Base class of the exceptions collapse raises itself. An exception thrown by a load is never
 * wrapped in one of these: callers get the load's own exception.
 */
public class CollapseException extends RuntimeException {

	private static final long serialVersionUID = 1L;

	public CollapseException(String message) {
		super(message);
	}

	public CollapseException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
