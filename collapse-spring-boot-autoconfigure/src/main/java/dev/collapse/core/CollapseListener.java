package dev.collapse.core;

/**
 * Observes collapse instances, for metrics, logs or tests. {@link #bind} is called once for each
 * instance when it is created, so that per-instance state (meters, say) is built once and held,
 * never looked up per call.
 */
@FunctionalInterface
public interface CollapseListener {

	/** Returns the receiver of {@code instance}'s events, or {@link InstanceEvents#NONE}. */
	InstanceEvents bind(CollapseInstance instance);

}
