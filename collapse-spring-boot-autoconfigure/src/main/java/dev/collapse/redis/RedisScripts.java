package dev.collapse.redis;

/**
 * The Lua scripts of the protocol. Each touches only the keys it is given, an entry and its lease,
 * which share a hash slot, so each runs on one Redis Cluster node.
 */
final class RedisScripts {

	/**
	 * Takes the lease unless a fresh entry exists. KEYS: entry, lease. ARGV: token, lease in ms,
	 * now in epoch ms, "1" to ignore the entry (it could not be read, or it is being refreshed).
	 * Returns {1, entry} for a fresh entry; {2} when the lease is this token's, also when a replayed
	 * call had already set it; {3, holder token, remaining ms} when another attempt holds it.
	 */
	static final String ACQUIRE = """
			if ARGV[4] ~= '1' then
			  local entry = redis.call('GET', KEYS[1])
			  if entry then
			    local expiry = tonumber(string.match(entry, '^c1;(%d+);'))
			    if expiry and expiry > tonumber(ARGV[3]) then return {1, entry} end
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
	 * Ends a load, fenced by the token: writes the entry (unless ARGV[2] is empty: the load failed),
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

	private RedisScripts() {
	}

}
