package dev.collapse.core;

import org.jspecify.annotations.Nullable;

/**
 * One load as one listener sees it, from its start to its outcome: run by its leader
 * ({@link InstanceEvents#startLoad}) or waited for by a follower ({@link InstanceEvents#startWait}).
 * Tracing is its purpose: a trace then shows which request loaded and which waited.
 *
 * <p>Started on the caller's thread. {@link #openScope} is called on the leader's thread around
 * the synchronous part of each attempt; {@link #stop} exactly once, on any thread, when the
 * outcome is known. Implementations must be fast and must not throw. Never given a key or a value.
 */
public interface LoadObservation {

	/** Observes nothing. */
	LoadObservation NONE = new LoadObservation() {
	};

	/**
	 * Makes the load current on this thread, so that work it starts here (an upstream call) is
	 * attributed to it, until the returned scope is closed on this same thread.
	 */
	default Scope openScope() {
		return Scope.NONE;
	}

	/**
	 * The load, or this follower's wait for it, ended.
	 * @param result how the caller was served: {@link CallResult#LEADER} for a load, the leader's
	 * classification for a follower, {@code null} when the follower stopped waiting before the
	 * outcome reached it (timeout, interruption, cancellation)
	 * @param failure the exception the load ended with or the follower got, {@code null} on success
	 */
	default void stop(@Nullable CallResult result, @Nullable Throwable failure) {
	}

	/** A load made current on one thread; closed on that thread. */
	interface Scope extends AutoCloseable {

		/** Nothing to close. */
		Scope NONE = () -> {
		};

		@Override
		void close();

	}

}
