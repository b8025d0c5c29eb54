package dev.collapse.redis;

import org.jspecify.annotations.Nullable;

/**
 * One stored result as Redis holds it: {@code c1;<expiry>;<delta>;<kind><token>;<value>}, where
 * {@code expiry} is the logical expiry in epoch milliseconds (the completion and lease scripts read
 * it too), {@code delta} how long the load took in microseconds (X-Fetch), {@code kind} {@code s}
 * for an entry served to every caller until its expiry, {@code h} for a hand-off (ttl 0, or a
 * null that is not cached) served only to the callers that waited for the lease {@code token}, or
 * {@code f} for a failed load served to every caller until its expiry (failure-ttl), and
 * {@code value} the serializer's text, or for a failure the exception's type name, then a newline
 * and its message when it has one: never a stack trace, never anything to deserialize.
 *
 * @param expiresAt logical expiry, epoch milliseconds
 * @param loadMicros how long the load took
 * @param handOff whether only the waiters of {@code token} may use it
 * @param token the lease token of the load that wrote it
 * @param value the serializer's text, or the failure's type name and message
 * @param failed whether it is a failure ({@code f})
 */
record RedisEntry(long expiresAt, long loadMicros, boolean handOff, String token, String value, boolean failed) {

	private static final String VERSION = "c1;";

	/** Longest failure message kept: the rest is cut, so that a failure stays a small entry. */
	static final int FAILURE_MESSAGE_LIMIT = 512;

	/** A result: a hand-off or an entry for every caller. */
	RedisEntry(long expiresAt, long loadMicros, boolean handOff, String token, String value) {
		this(expiresAt, loadMicros, handOff, token, value, false);
	}

	/** The failure {@code failure} of the load of {@code token}, served until {@code expiresAt}. */
	static RedisEntry failure(long expiresAt, long loadMicros, String token, Throwable failure) {
		String message = failure.getMessage();
		if (message != null && message.length() > FAILURE_MESSAGE_LIMIT) {
			message = message.substring(0, FAILURE_MESSAGE_LIMIT);
		}
		String text = failure.getClass().getName() + ((message != null) ? "\n" + message : "");
		return new RedisEntry(expiresAt, loadMicros, false, token, text, true);
	}

	/** The failure's type name; for a failure only. */
	String failureType() {
		int newline = this.value.indexOf('\n');
		return (newline < 0) ? this.value : this.value.substring(0, newline);
	}

	/** The failure's message, {@code null} if it had none; for a failure only. */
	@Nullable String failureMessage() {
		int newline = this.value.indexOf('\n');
		return (newline < 0) ? null : this.value.substring(newline + 1);
	}

	String encode() {
		return VERSION + this.expiresAt + ';' + this.loadMicros + ';' + (this.failed ? 'f' : this.handOff ? 'h' : 's')
				+ this.token + ';' + this.value;
	}

	/** Whether it may serve callers that did not wait for its load. */
	boolean fresh(long nowMillis) {
		return !this.handOff && this.expiresAt > nowMillis;
	}

	/** Whether it may serve a caller that waited for the lease {@code holder}. */
	boolean servesWaiterOf(String holder, long nowMillis) {
		return fresh(nowMillis) || (this.handOff && this.token.equals(holder));
	}

	/**
	 * The entry of {@code text}.
	 * @throws IllegalArgumentException if {@code text} is not an entry of this format
	 */
	static RedisEntry decode(String text) {
		if (!text.startsWith(VERSION)) {
			throw new IllegalArgumentException("not an entry of collapse");
		}
		int expiryEnd = text.indexOf(';', VERSION.length());
		int deltaEnd = (expiryEnd < 0) ? -1 : text.indexOf(';', expiryEnd + 1);
		int tokenEnd = (deltaEnd < 0) ? -1 : text.indexOf(';', deltaEnd + 1);
		if (tokenEnd < 0 || tokenEnd == deltaEnd + 1) {
			throw new IllegalArgumentException("truncated header");
		}
		long expiresAt = Long.parseLong(text, VERSION.length(), expiryEnd, 10);
		long loadMicros = Long.parseLong(text, expiryEnd + 1, deltaEnd, 10);
		char kind = text.charAt(deltaEnd + 1);
		if (kind != 's' && kind != 'h' && kind != 'f') {
			throw new IllegalArgumentException("unknown kind");
		}
		return new RedisEntry(expiresAt, loadMicros, kind == 'h', text.substring(deltaEnd + 2, tokenEnd),
				text.substring(tokenEnd + 1), kind == 'f');
	}

}
