package dev.collapse.core;

import org.jspecify.annotations.Nullable;

/**
 * A setting of a collapse instance is invalid. The message names where it comes from: the
 * annotated method and attribute, or the configuration property.
 */
public class CollapseConfigurationException extends CollapseException {

	private static final long serialVersionUID = 1L;

	private final String origin;

	private final String problem;

	public CollapseConfigurationException(String origin, String problem) {
		this(origin, problem, null);
	}

	public CollapseConfigurationException(String origin, String problem, @Nullable Throwable cause) {
		super(origin + ": " + problem, cause);
		this.origin = origin;
		this.problem = problem;
	}

	/** Where the bad setting is: a method and attribute, or a property name. */
	public String getOrigin() {
		return this.origin;
	}

	/** What is wrong with it. */
	public String getProblem() {
		return this.problem;
	}

}
