package dev.collapse.core.spi;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

import org.jspecify.annotations.Nullable;

import dev.collapse.core.AsyncLoader;
import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseTimeoutException;
import dev.collapse.core.Loader;

/**
 * Fleet-wide coordination of the loads of one instance. Called only by the node's local leader of
 * a key (after the local single-flight), so at most one call per key runs at a time in a JVM;
 * {@link #serve} always on a thread that may block, never on an I/O thread of the distributed layer.
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
	 * {@link #serve} for asynchronous callers: the same contract, with the outcome and every
	 * exception delivered through the returned future, which may complete on any thread. It may
	 * be called on a thread that must not block (a caller's I/O thread); {@code load} is started
	 * at most once per attempt to lead, and its stage may complete on any thread. Meant to hold no
	 * thread while it waits for another node or for the load.
	 * @param load the load with its retries
	 * @return the outcome; failed with {@link DistributedUnavailableException} when the layer
	 * failed before {@code load} started (also when it has no thread for a step),
	 * {@link CollapseTimeoutException}, or the exception of {@code load}
	 */
	CompletableFuture<Outcome> serveAsync(Object key, AsyncLoader load, long waitNanos);

	/**
	 * Runs {@code load} for an early refresh if no node loads the key now, without waiting for
	 * anybody; stores its result like {@link #serve}.
	 * @param version the {@link Outcome#version()} of the entry whose read rolled the refresh: when
	 * another node has replaced that entry since, nothing is loaded
	 * @return the outcome, or {@code null} if another node holds the key or replaced the entry, or
	 * the layer is down
	 * @throws Throwable the exception of {@code load} when it ran here
	 */
	@Nullable Outcome refresh(Object key, @Nullable String version, Loader load) throws Throwable;

	/**
	 * Deletes the entry of {@code key} in the fleet and ends the lease of a load in flight, so that
	 * no load that began before this call stores its result, on any node; the other nodes hear of
	 * it ({@link Changes#evicted}). A failure is logged, never thrown.
	 * @return whether the fleet's store had an entry; false when it could not be asked
	 */
	boolean evict(Object key);

	/**
	 * Makes every entry of the instance in the fleet unreachable, and every load in flight unable
	 * to store, without blocking Redis; the other nodes hear of it ({@link Changes#evictedAll}). A
	 * failure is logged, never thrown.
	 * @return whether the fleet could be told
	 */
	boolean evictAll();

	/**
	 * Whom to tell of what other nodes and the layer change; called once by the core, before the
	 * instance serves any call.
	 */
	void listen(Changes changes);

	/** Where a synchronous flow goes on for its followers when its caller stops waiting; never an I/O thread. */
	Executor executor();

	/**
	 * Whether the core may serve the copies of the fleet's entries that it keeps in its local store
	 * (the near cache): only while this node hears every change of them. When false (the default),
	 * every hit reads the fleet.
	 */
	default boolean copiesTrusted() {
		return false;
	}

	/**
	 * What this node knows of the fleet's entry of {@code key} now: taken before {@link #serve},
	 * handed back to {@link #keepCopy}. Called on the caller's thread.
	 * @param mayBlock whether that thread may wait for a command (a synchronous caller's); when
	 * false (an asynchronous caller's, maybe an I/O thread) no command is sent
	 * @return {@code null} when no copy of what the serve returns may be kept
	 */
	default @Nullable Object copyStamp(Object key, boolean mayBlock) {
		return null;
	}

	/**
	 * Runs {@code store}, which keeps a copy of the entry {@code version} of {@code key} that a
	 * serve begun at {@code stamp} returned, unless this node heard of a change of that entry since
	 * the stamp; atomically with respect to the changes, which reach {@link Changes#copyChanged}
	 * once the copy is kept.
	 * @return whether {@code store} ran
	 */
	default boolean keepCopy(Object key, Object stamp, String version, Runnable store) {
		return false;
	}

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
	 * @param version what tells the served entry from a later one of the same key (the token of
	 * the load that wrote it); {@code null} when nothing was stored
	 */
	record Outcome(@Nullable Object value, CallResult served, long loadNanos, long remainingNanos, boolean leaseLost,
			@Nullable String version) {
	}

	/**
	 * What the fleet layer tells an instance, on the layer's own threads: each method must be quick
	 * and must not block.
	 */
	interface Changes {

		/**
		 * Another node evicted {@code key} (or this one, through another path): a load of it in
		 * flight here must not be joined any more, and a copy of its entry kept here must go.
		 */
		void evicted(Object key);

		/** Every entry of the instance was evicted in the fleet. */
		void evictedAll();

		/**
		 * The layer became available or unavailable: what this node stored on its own while it
		 * could not reach the fleet must not be served again.
		 */
		void availabilityChanged();

		/**
		 * The fleet's entry of {@code key} changed (a load completed or failed): a copy kept here
		 * goes, unless it is the entry {@code version}, the one that the change wrote.
		 */
		default void copyChanged(Object key, @Nullable String version) {
		}

		/**
		 * No change of {@code key}'s entry would reach this node any more (the layer stopped
		 * tracking it): a copy kept here goes, though nothing says that the entry changed.
		 */
		default void copyUnreachable(Object key) {
			copyChanged(key, null);
		}

		/** This node may have missed changes (its subscription dropped, stalled or resubscribed): every copy goes. */
		default void dropCopies() {
		}

	}

}
