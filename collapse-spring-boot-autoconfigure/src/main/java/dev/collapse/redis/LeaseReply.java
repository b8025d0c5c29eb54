package dev.collapse.redis;

import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * The reply of the lease script, {@link RedisScripts#ACQUIRE}, decoded in one place.
 *
 * @param kind what the script found
 * @param entry the fresh entry, for {@link Kind#FRESH_ENTRY} only
 * @param holder the token that holds the lease, for {@link Kind#HELD} only ({@code ""} if the
 * lease vanished between the script's two reads)
 * @param remainingMillis the time left on that lease, for {@link Kind#HELD} only
 */
record LeaseReply(Kind kind, @Nullable String entry, @Nullable String holder, long remainingMillis) {

	/** What the lease script found; each kind is written in Lua as its {@link #code}. */
	enum Kind {

		/** A fresh entry exists: {@code {1, entry}}. */
		FRESH_ENTRY(1),

		/** The lease is this attempt's token's, taken now or by a replay of it: {@code {2}}. */
		TAKEN(2),

		/** Another attempt holds the lease: {@code {3, holder token, remaining ms}}. */
		HELD(3);

		final long code;

		Kind(long code) {
			this.code = code;
		}

	}

	/**
	 * The reply of the script's {@code MULTI} output.
	 * @throws IllegalStateException for a reply the script does not write
	 */
	static LeaseReply decode(List<Object> reply) {
		Object code = reply.isEmpty() ? null : reply.get(0);
		for (Kind kind : Kind.values()) {
			if (code instanceof Long value && value == kind.code) {
				return switch (kind) {
					case FRESH_ENTRY -> new LeaseReply(kind, (String) reply.get(1), null, 0);
					case TAKEN -> new LeaseReply(kind, null, null, 0);
					case HELD -> new LeaseReply(kind, null, (String) reply.get(1), (Long) reply.get(2));
				};
			}
		}
		throw new IllegalStateException("unexpected reply of the lease script: " + code);
	}

}
