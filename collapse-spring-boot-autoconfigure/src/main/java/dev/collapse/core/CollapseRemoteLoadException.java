package dev.collapse.core;

import org.jspecify.annotations.Nullable;

/**
 * A load of the key failed in the fleet, and its failure is served for the instance's
 * failure-ttl instead of a new load. Only the failure's type name and message travel between
 * nodes, never its stack trace nor its class: the original exception is not rebuilt, its type is
 * only named ({@link #failureType()}).
 */
public class CollapseRemoteLoadException extends CollapseException {

	private static final long serialVersionUID = 1L;

	private final String failureType;

	private final @Nullable String failureMessage;

	public CollapseRemoteLoadException(String instance, String failureType, @Nullable String failureMessage) {
		super("A load of collapse instance '" + instance + "' failed in the fleet, and its failure is served for the "
				+ "instance's failure-ttl: " + failureType + ((failureMessage != null) ? ": " + failureMessage : ""));
		this.failureType = failureType;
		this.failureMessage = failureMessage;
	}

	/** Fully qualified class name of the exception the load failed with, as text. */
	public String failureType() {
		return this.failureType;
	}

	/** Message of the exception the load failed with; {@code null} when it had none. */
	public @Nullable String failureMessage() {
		return this.failureMessage;
	}

}
