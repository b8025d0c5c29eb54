package dev.collapse.redis;

import org.jspecify.annotations.Nullable;

/**
 * What woke a waiter. {@code entry} is the stored entry when the completion message carried it
 * (a small one, see {@link CompletionMessage#ENTRY_LIMIT}), else {@code null}: then the waiter
 * reads it. For {@link Kind#EVICTED} and {@link Kind#EVICTED_ALL}, {@code token} is the node that
 * evicted, and for the latter {@code entry} is the instance's new generation, in decimal.
 */
record Signal(Kind kind, String token, @Nullable String entry) {

	static final Signal RECHECK = new Signal(Kind.RECHECK, "", null);

	enum Kind {

		/** The load of {@code token} stored its result. */
		SUCCESS,

		/** The load of {@code token} failed; nothing was stored. */
		FAILURE,

		/** Messages may have been lost (resubscription), or Redis went away: read again. */
		RECHECK,

		/** The key was evicted: its entry and the lease of its load in flight are gone; contend again. */
		EVICTED,

		/** Every entry of an instance was evicted; wakes no waiter. */
		EVICTED_ALL

	}

}
