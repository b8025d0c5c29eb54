package dev.collapse.redis;

/**
 * The Lua scripts of the protocol. Each touches only the keys it is given, an entry and its lease,
 * which share a hash slot, so each runs on one Redis Cluster node.
 */
final class RedisScripts {

	/**
	 * Takes the lease unless a fresh entry exists. KEYS: entry, lease. ARGV: token, lease in ms,
	 * now in epoch ms, and what to make of the entry: "0" serves a fresh one, "1" ignores it (it
	 * could not be read), "v" followed by a token ignores it only if that token wrote it (an early
	 * refresh of the entry it read: a fresh entry of another load has replaced it, nothing to do).
	 * Only an entry of kind 's', or a failure ('f', failure-ttl) is fresh: a hand-off ('h') serves
	 * the waiters of its load alone.
	 * Returns {1, entry} for a fresh entry; {2} when the lease is this token's, also when a replayed
	 * call had already set it; {3, holder token, remaining ms} when another attempt holds it.
	 */
	static final String ACQUIRE = """
			if ARGV[4] ~= '1' then
			  local entry = redis.call('GET', KEYS[1])
			  if entry then
			    local expiry, writer = string.match(entry, '^c1;(%d+);%d+;[sf]([^;]*);')
			    expiry = tonumber(expiry)
			    if expiry and expiry > tonumber(ARGV[3]) and ARGV[4] ~= 'v' .. writer then return {1, entry} end
			  end
			end
			if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then return {2} end
			local holder = redis.call('GET', KEYS[2])
			if holder == ARGV[1] then return {2} end
			return {3, holder or '', redis.call('PTTL', KEYS[2])}
			""";

	/** Extends the lease if it is still this token's. KEYS: lease. ARGV: token, lease in ms. Returns 1 or 0. */
	static final String RENEW = """
			if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
			return 0
			""";

	/**
	 * Ends a load, fenced by the token: writes the entry (unless ARGV[2] is empty: the load failed
	 * and no failure is cached),
	 * deletes the lease and publishes the completion. KEYS: entry, lease. ARGV: token, entry, entry
	 * ttl in ms, channel, message, "1" to append the entry to the message (sent once, not twice).
	 * Returns 1, or 0 when the lease is no longer this token's and nothing was done.
	 */
	static final String COMPLETE = """
			if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
			if ARGV[2] ~= '' then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
			redis.call('DEL', KEYS[2])
			if ARGV[6] == '1' then
			  redis.call('PUBLISH', ARGV[4], ARGV[5] .. ARGV[2])
			else
			  redis.call('PUBLISH', ARGV[4], ARGV[5])
			end
			return 1
			""";

	/**
	 * Evicts one key: deletes its entry and its lease, so that the load holding the lease (if any)
	 * can no longer complete, then tells every node. KEYS: entry, lease. ARGV: channel, message.
	 * Returns how many entries there were (0 or 1).
	 */
	static final String EVICT = """
			local found = redis.call('DEL', KEYS[1])
			redis.call('DEL', KEYS[2])
			redis.call('PUBLISH', ARGV[1], ARGV[2])
			return found
			""";

	/**
	 * Evicts every entry of an instance: moves its generation, which every entry key holds, so that
	 * entries and leases of earlier generations are never read again (they expire by their ttl),
	 * then tells every node the new generation. KEYS: generation. ARGV: channel, message start (the
	 * generation is appended). Returns the new generation.
	 */
	static final String EVICT_ALL = """
			local generation = redis.call('INCR', KEYS[1])
			redis.call('PUBLISH', ARGV[1], ARGV[2] .. generation)
			return generation
			""";

	private RedisScripts() {
	}

}
