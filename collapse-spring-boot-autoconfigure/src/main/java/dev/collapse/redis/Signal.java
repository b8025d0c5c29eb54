package dev.collapse.redis;

import org.jspecify.annotations.Nullable;

/**
 * What woke a waiter. {@code entry} is the stored entry when the completion message carried it
 * (a small one, see {@link CompletionMessage#ENTRY_LIMIT}), else {@code null}: then the waiter
 * reads it.
 */
record Signal(Kind kind, String token, @Nullable String entry) {

	static final Signal RECHECK = new Signal(Kind.RECHECK, "", null);

	enum Kind {

		/** The load of {@code token} stored its result. */
		SUCCESS,

		/** The load of {@code token} failed; nothing was stored. */
		FAILURE,

		/** Messages may have been lost (resubscription), or Redis went away: read again. */
		RECHECK

	}

}
