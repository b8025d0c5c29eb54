package dev.collapse.redis;

/**
 * One stored result as Redis holds it: {@code c1;<expiry>;<delta>;<kind><token>;<value>}, where
 * {@code expiry} is the logical expiry in epoch milliseconds (the completion and lease scripts read
 * it too), {@code delta} how long the load took in microseconds (X-Fetch), {@code kind} {@code s}
 * for an entry served to every caller until its expiry or {@code h} for a hand-off (ttl 0, or a
 * null that is not cached) served only to the callers that waited for the lease {@code token}, and
 * {@code value} the serializer's text.
 *
 * @param expiresAt logical expiry, epoch milliseconds
 * @param loadMicros how long the load took
 * @param handOff whether only the waiters of {@code token} may use it
 * @param token the lease token of the load that wrote it
 * @param value the serializer's text
 */
record RedisEntry(long expiresAt, long loadMicros, boolean handOff, String token, String value) {

	private static final String VERSION = "c1;";

	String encode() {
		return VERSION + this.expiresAt + ';' + this.loadMicros + ';' + (this.handOff ? 'h' : 's') + this.token + ';'
				+ this.value;
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
		if (kind != 's' && kind != 'h') {
			throw new IllegalArgumentException("unknown kind");
		}
		return new RedisEntry(expiresAt, loadMicros, kind == 'h', text.substring(deltaEnd + 2, tokenEnd),
				text.substring(tokenEnd + 1));
	}

}
