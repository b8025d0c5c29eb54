package dev.collapse.core;

import java.util.List;

/**
 * What happens in one collapse instance, reported as it happens. Implementations are called on
 * the callers' and loaders' threads, so they must be fast and must not throw. Events never carry
 * a key or a value.
 */
public interface InstanceEvents {

	/** Reports nothing. */
	InstanceEvents NONE = new InstanceEvents() {
	};

	/** A call was served. */
	default void onCall(CallResult result) {
	}

	/** A load (all its attempts) finished after {@code nanos}. */
	default void onLoad(boolean success, long nanos) {
	}

	/**
	 * A load held its key for its whole load timeout, {@code nanos}, and the key was released;
	 * its end, if it ever comes, is not reported again.
	 */
	default void onLoadTimeout(long nanos) {
	}

	/** A failed attempt of a load is about to be retried. */
	default void onRetry() {
	}

	/**
	 * One load of {@code key} served {@code callers} callers (its leader included) and took
	 * {@code loadNanos}. The key is given for diagnostics that hash it; never log or tag it raw.
	 */
	default void onHerd(Object key, int callers, long loadNanos) {
	}

	/** A follower waited {@code nanos} for a load. */
	default void onWait(long nanos) {
	}

	/** A stored entry is being loaded again. */
	default void onRefresh(RefreshTrigger trigger) {
	}

	/** The distributed layer could not be used; the call was collapsed in this JVM only. */
	default void onFallback() {
	}

	/** A leader lost its distributed lease while it loaded; its result was not stored. */
	default void onLeaseLost() {
	}

	/**
	 * A message of the fleet dropped this node's copy of a fleet entry (near cache): the entry was
	 * replaced or evicted by another load or node.
	 */
	default void onCopyInvalidated() {
	}

	/**
	 * A load starts on this thread, run by its leader or by an early refresh. Called before
	 * {@link #onLoad}; the returned observation is stopped when the load's outcome is known.
	 */
	default LoadObservation startLoad() {
		return LoadObservation.NONE;
	}

	/**
	 * A follower starts to wait on this thread for a load that another caller runs. The returned
	 * observation is stopped when the outcome reached the follower or it stopped waiting.
	 */
	default LoadObservation startWait() {
		return LoadObservation.NONE;
	}

	/**
	 * Reports to each of {@code all} in order. An exception thrown by one is logged and does not
	 * reach the others, nor the call that reported the event.
	 */
	static InstanceEvents composite(List<InstanceEvents> all) {
		List<InstanceEvents> live = all.stream().filter((events) -> events != NONE).toList();
		return live.isEmpty() ? NONE : new CompositeInstanceEvents(live);
	}

}
