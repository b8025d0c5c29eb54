package dev.collapse.core;

import java.time.Duration;

/**
 * A caller waited longer than its wait timeout for a load that another caller runs. The load
 * itself goes on and still serves the callers that wait for it.
 */
public class CollapseTimeoutException extends CollapseException {

	private static final long serialVersionUID = 1L;

	private final String instance;

	private final Duration waitTimeout;

	public CollapseTimeoutException(String instance, Duration waitTimeout) {
		super("Waited " + waitTimeout + " for the load of collapse instance '" + instance
				+ "' without a result; the load goes on for the others (raise collapse.instances." + instance
				+ ".wait-timeout if loads take that long)");
		this.instance = instance;
		this.waitTimeout = waitTimeout;
	}

	/** Name of the instance whose load was waited for. */
	public String getInstance() {
		return this.instance;
	}

	/** The wait timeout that ran out: the instance's {@code wait-timeout}. */
	public Duration getWaitTimeout() {
		return this.waitTimeout;
	}

}
