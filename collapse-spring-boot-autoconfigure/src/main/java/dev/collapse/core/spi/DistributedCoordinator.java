package dev.collapse.core.spi;

import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseTimeoutException;
import dev.collapse.core.Loader;

/**
 * Fleet-wide coordination of the loads of one instance. Called only by the node's local leader of
 * a key (after the local single-flight), so at most one call per key runs at a time in a JVM, and
 * always on a thread that may block: never on an I/O thread of the distributed layer.
 * Implementations are thread-safe: calls for different keys run concurrently.
 */
public interface DistributedCoordinator {

	/** Whether to try the fleet now; when false the call is collapsed in this JVM only. */
	boolean available();

	/**
	 * Serves {@code key} for the whole fleet: the stored entry, the result of a load that another
	 * node ran, or the result of {@code load}, run on this thread while this node holds the key's
	 * lease. At most one load of the key runs at a time in the fleet, except after a lost lease.
	 * @param load the load with its retries; called at most once per attempt to lead
	 * @param waitNanos longest time to wait for other nodes
	 * @return how the key was served; never {@code null}
	 * @throws DistributedUnavailableException if the distributed layer failed before {@code load}
	 * ran: the caller collapses in this JVM instead
	 * @throws CollapseTimeoutException if other nodes held the key longer than {@code waitNanos}
	 * @throws Throwable the exception of {@code load} when it ran here
	 */
	Outcome serve(Object key, Loader load, long waitNanos) throws Throwable;

	/**
	 * Runs {@code load} for an early refresh if no node loads the key now, without waiting for
	 * anybody; stores its result like {@link #serve}.
	 * @return the outcome, or {@code null} if another node holds the key or the layer is down
	 * @throws Throwable the exception of {@code load} when it ran here
	 */
	@Nullable Outcome refresh(Object key, Loader load) throws Throwable;

	/**
	 * Deletes the entry of {@code key} in the fleet; a failure is logged, never thrown.
	 * @return whether the fleet's store had an entry; false when it could not be asked
	 */
	boolean evict(Object key);

	/** Where asynchronous callers' distributed flows run (they block); never an I/O thread. */
	Executor executor();

	/**
	 * How a key was served.
	 *
	 * @param value the value, possibly {@code null}
	 * @param served {@link CallResult#HIT} (entry read), {@link CallResult#REMOTE} (another node
	 * loaded it), {@link CallResult#LEADER} (loaded here), {@link CallResult#STALE} (load failed,
	 * an expired entry served)
	 * @param loadNanos how long the load took (X-Fetch's delta); 0 when unknown
	 * @param remainingNanos time until the entry's logical expiry, for X-Fetch; 0 when none
	 * @param leaseLost whether this node loaded but had lost its lease, so stored nothing
	 */
	record Outcome(@Nullable Object value, CallResult served, long loadNanos, long remainingNanos, boolean leaseLost) {
	}

}
