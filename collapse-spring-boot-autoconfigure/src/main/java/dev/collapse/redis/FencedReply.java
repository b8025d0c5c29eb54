package dev.collapse.redis;

import org.jspecify.annotations.Nullable;

/**
 * The reply of the scripts fenced by a lease token, {@link RedisScripts#RENEW} and
 * {@link RedisScripts#COMPLETE}: whether the lease was still the token's, so that the script did
 * its work.
 */
enum FencedReply {

	/** The lease was the token's: renewed, or completed (stored, released, published). */
	APPLIED,

	/** The lease was not the token's any more (it expired, another attempt took it): nothing done. */
	NOT_HOLDER;

	/**
	 * The reply of the integer {@code reply}.
	 * @throws IllegalStateException for anything but 1 and 0: the script and this class disagree
	 */
	static FencedReply decode(@Nullable Long reply) {
		if (reply != null && reply == 1L) {
			return APPLIED;
		}
		if (reply != null && reply == 0L) {
			return NOT_HOLDER;
		}
		throw new IllegalStateException("unexpected reply of a fenced script: " + reply);
	}

}
