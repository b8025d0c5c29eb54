package dev.collapse.core.spi;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.CollapseException;

/**
 * The distributed layer failed (down, refusing, slow) before a load ran, or cannot share the key
 * (docs/design.md, Keys): the call falls back to collapsing in this JVM. Never reaches a caller.
 */
public class DistributedUnavailableException extends CollapseException {

	private static final long serialVersionUID = 1L;

	public DistributedUnavailableException(String message, @Nullable Throwable cause) {
		super(message, cause);
	}

}
