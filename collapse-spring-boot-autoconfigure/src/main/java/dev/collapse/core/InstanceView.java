package dev.collapse.core;

import java.lang.reflect.Type;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link CollapseListener} may know of an instance: its identity, its settings and what it
 * holds now. It offers no way to run a load or to evict, so that a listener can observe the
 * instance but never change what its callers get.
 *
 * <p>Every method may be called from any thread, at any time after {@link CollapseListener#bind}
 * (a gauge reads {@link #inflight} when it is scraped), and never throws. The counts are read
 * without a lock, so they are a moment's view, not a snapshot consistent with each other.
 */
public interface InstanceView {

	/** Instance name: the metric tag, the yml key and the Redis namespace. */
	String name();

	/** Effective settings; fixed for the instance's life. */
	CollapseSettings settings();

	/** Declared type of the results, or {@code null} when the instance was created without one. */
	@Nullable Type valueType();

	/** Whether results are shared with the fleet (when the distributed layer is available). */
	boolean distributed();

	/** Loads running now in this JVM. */
	int inflight();

	/** Stored entries of this instance in this JVM, expired ones kept for a while included; walks the store. */
	long storedEntries();

}
