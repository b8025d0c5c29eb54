package dev.collapse.core;

/**
 * Observes collapse instances, for metrics, logs or tests. {@link #bind} is called once for each
 * instance when it is created, so that per-instance state (meters, say) is built once and held,
 * never looked up per call.
 */
@FunctionalInterface
public interface CollapseListener {

	/**
	 * Returns the receiver of {@code instance}'s events, or {@link InstanceEvents#NONE}. Called
	 * once per instance, on the thread that creates it and before any of its events; it may keep
	 * {@code instance} to read it later. It runs while the registry creates the instance, so it
	 * must not use the registry; an exception thrown here fails the creation.
	 */
	InstanceEvents bind(InstanceView instance);

}
