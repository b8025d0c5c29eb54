package dev.collapse.core;

import java.time.Duration;
import java.util.Objects;

/**
 * Effective settings of one collapse instance, resolved from the annotation, the instance's
 * properties and the defaults.
 *
 * @param ttl how long a result is reused; zero collapses concurrent calls only
 * @param jitter random extra time to live
 * @param waitTimeout longest wait of a caller for another caller's load
 * @param cacheNulls whether a {@code null} result is stored like any other
 * @param earlyRefreshBeta X-Fetch's beta; zero turns early refresh off
 * @param retry retries of a failed load
 * @param staleIfError how long after its expiry an entry may still be served when its reload
 * fails; zero serves the failure
 */
public record CollapseSettings(Duration ttl, Jitter jitter, Duration waitTimeout, boolean cacheNulls,
		double earlyRefreshBeta, RetrySettings retry, Duration staleIfError) {

	public CollapseSettings {
		Objects.requireNonNull(ttl, "ttl");
		Objects.requireNonNull(jitter, "jitter");
		Objects.requireNonNull(waitTimeout, "waitTimeout");
		Objects.requireNonNull(retry, "retry");
		Objects.requireNonNull(staleIfError, "staleIfError");
		if (ttl.isNegative()) {
			throw new IllegalArgumentException("ttl must not be negative, was " + ttl);
		}
		if (waitTimeout.isNegative() || waitTimeout.isZero()) {
			throw new IllegalArgumentException("wait-timeout must be positive, was " + waitTimeout);
		}
		if (staleIfError.isNegative()) {
			throw new IllegalArgumentException("stale-if-error must not be negative, was " + staleIfError);
		}
		if (!(earlyRefreshBeta >= 0) || Double.isInfinite(earlyRefreshBeta)) {
			throw new IllegalArgumentException("early-refresh.beta must be zero or more, was " + earlyRefreshBeta);
		}
	}

	/** Settings that collapse concurrent calls only, with the given wait timeout. */
	public static CollapseSettings inFlightOnly(Duration waitTimeout) {
		return new CollapseSettings(Duration.ZERO, Jitter.NONE, waitTimeout, true, 0, RetrySettings.NONE, Duration.ZERO);
	}

	/** Whether results are stored at all. */
	public boolean caches() {
		return !this.ttl.isZero();
	}

}
