package dev.collapse.core;

/**
 * The calling thread was interrupted while it waited for another caller's load. The thread's
 * interrupt status is set again before this is thrown; the load goes on for the others.
 */
public class CollapseInterruptedException extends CollapseException {

	private static final long serialVersionUID = 1L;

	public CollapseInterruptedException(String instance, InterruptedException cause) {
		super("Interrupted while waiting for the load of collapse instance '" + instance + "'", cause);
	}

}
