package dev.collapse.redis;

import java.time.Duration;

/**
 * Timings and bounds of the {@link RedisDistributedLayer}, from {@code collapse.redis.*}; checked
 * when created, so that a bad value fails at startup naming its property.
 *
 * @param lease lease of a load, renewed every third of it
 * @param commandTimeout longest wait for one Redis command before calls fall back
 * @param probeInterval mean pause between two probes while Redis does not answer
 * @param fallbackLogInterval shortest time between two logs of a fallback
 * @param maxEntryBytes largest entry, in UTF-8 bytes, that is written to or read from Redis
 * @param subscriptionCheck interval of the {@code PING} on the subscription, and how long its
 * {@code PONG} may take before the subscription counts as stalled
 * @param nearCacheEntries copies of fleet entries an instance keeps at most (near cache; the
 * local store's bound); 0 turns the near cache off: every hit reads Redis
 */
public record RedisLayerSettings(Duration lease, Duration commandTimeout, Duration probeInterval,
		Duration fallbackLogInterval, long maxEntryBytes, Duration subscriptionCheck, long nearCacheEntries) {

	/** Copies kept per instance by default: the local store's default bound. */
	public static final long DEFAULT_NEAR_CACHE_ENTRIES = 10_000;

	/** The default largest entry: 1 MB. */
	public static final long DEFAULT_MAX_ENTRY_BYTES = 1024 * 1024;

	/** The default subscription check: 2 s. */
	public static final Duration DEFAULT_SUBSCRIPTION_CHECK = Duration.ofSeconds(2);

	public RedisLayerSettings(Duration lease, Duration commandTimeout, Duration probeInterval, Duration fallbackLogInterval) {
		this(lease, commandTimeout, probeInterval, fallbackLogInterval, DEFAULT_MAX_ENTRY_BYTES);
	}

	public RedisLayerSettings(Duration lease, Duration commandTimeout, Duration probeInterval, Duration fallbackLogInterval,
			long maxEntryBytes) {
		this(lease, commandTimeout, probeInterval, fallbackLogInterval, maxEntryBytes, DEFAULT_SUBSCRIPTION_CHECK);
	}

	public RedisLayerSettings(Duration lease, Duration commandTimeout, Duration probeInterval, Duration fallbackLogInterval,
			long maxEntryBytes, Duration subscriptionCheck) {
		this(lease, commandTimeout, probeInterval, fallbackLogInterval, maxEntryBytes, subscriptionCheck,
				DEFAULT_NEAR_CACHE_ENTRIES);
	}

	public RedisLayerSettings {
		if (subscriptionCheck.isNegative() || subscriptionCheck.isZero()) {
			throw new IllegalArgumentException(
					"collapse.redis.subscription-check must be positive, was " + subscriptionCheck);
		}
		if (nearCacheEntries < 0) {
			throw new IllegalArgumentException("near-cache entries must not be negative, was " + nearCacheEntries);
		}
		if (maxEntryBytes < 64) {
			throw new IllegalArgumentException("collapse.redis.max-entry-size must be at least 64B, was " + maxEntryBytes + "B");
		}
		if (lease.toMillis() < 3) {
			throw new IllegalArgumentException("collapse.redis.lease must be at least 3ms, was " + lease);
		}
		if (commandTimeout.isNegative() || commandTimeout.isZero()) {
			throw new IllegalArgumentException("collapse.redis.command-timeout must be positive, was " + commandTimeout);
		}
		if (probeInterval.isNegative() || probeInterval.isZero()) {
			throw new IllegalArgumentException("collapse.redis.probe-interval must be positive, was " + probeInterval);
		}
	}

}
