package dev.collapse.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

import org.jspecify.annotations.Nullable;

/**
 * Effective settings of one collapse instance, resolved from the annotation, the instance's
 * properties and the defaults. Immutable; the constructor refuses a value out of its range, so an
 * instance never holds one.
 *
 * @param ttl how long a result is reused; zero collapses concurrent calls only
 * @param jitter random extra time to live
 * @param waitTimeout longest wait of a caller for another caller's load
 * @param cacheNulls whether a {@code null} result is stored like any other
 * @param earlyRefreshBeta X-Fetch's beta; zero turns early refresh off
 * @param retry retries of a failed load
 * @param staleIfError how long after its expiry an entry may still be served when its reload
 * fails; zero serves the failure
 * @param loadTimeout longest time a load holds its key: past it the key is released (a new caller
 * starts a new load) and the late result is stored nowhere
 * @param failureTtl how long a failed load's exception is served to the callers of its key
 * (plus its jitter, see {@link #failureWindowNanos()}); zero caches no failure
 */
public record CollapseSettings(Duration ttl, Jitter jitter, Duration waitTimeout, boolean cacheNulls,
		double earlyRefreshBeta, RetrySettings retry, Duration staleIfError, Duration loadTimeout,
		Duration failureTtl) {

	/** Load timeout when none is given: a load that runs this long is taken for hung. */
	public static final Duration DEFAULT_LOAD_TIMEOUT = Duration.ofSeconds(60);

	/**
	 * @throws IllegalArgumentException naming the first setting out of its range
	 */
	public CollapseSettings {
		requireTtl(ttl);
		Objects.requireNonNull(jitter, "jitter");
		requireWaitTimeout(waitTimeout);
		requireEarlyRefreshBeta(earlyRefreshBeta);
		Objects.requireNonNull(retry, "retry");
		requireStaleIfError(staleIfError);
		requireLoadTimeout(loadTimeout);
		requireFailureTtl(failureTtl);
	}

	/** Settings that cache no failure. */
	public CollapseSettings(Duration ttl, Jitter jitter, Duration waitTimeout, boolean cacheNulls,
			double earlyRefreshBeta, RetrySettings retry, Duration staleIfError, Duration loadTimeout) {
		this(ttl, jitter, waitTimeout, cacheNulls, earlyRefreshBeta, retry, staleIfError, loadTimeout, Duration.ZERO);
	}

	/** Settings with the {@linkplain #DEFAULT_LOAD_TIMEOUT default load timeout}. */
	public CollapseSettings(Duration ttl, Jitter jitter, Duration waitTimeout, boolean cacheNulls,
			double earlyRefreshBeta, RetrySettings retry, Duration staleIfError) {
		this(ttl, jitter, waitTimeout, cacheNulls, earlyRefreshBeta, retry, staleIfError, DEFAULT_LOAD_TIMEOUT);
	}

	// --- The range of each setting, stated once. Configuration calls these one setting at a time,
	// so that a failure can name the property or attribute the value came from.

	/** @throws IllegalArgumentException unless {@code ttl} is zero or positive */
	public static Duration requireTtl(@Nullable Duration ttl) {
		if (ttl == null || ttl.isNegative()) {
			throw new IllegalArgumentException("ttl must be 0 (collapse concurrent calls only, store nothing) or a "
					+ "positive duration such as 5m; was " + ttl);
		}
		return ttl;
	}

	/** @throws IllegalArgumentException unless {@code waitTimeout} is positive */
	public static Duration requireWaitTimeout(@Nullable Duration waitTimeout) {
		if (waitTimeout == null || waitTimeout.isNegative() || waitTimeout.isZero()) {
			throw new IllegalArgumentException(
					"wait-timeout must be a positive duration such as 10s (every wait has a deadline); was " + waitTimeout);
		}
		return waitTimeout;
	}

	/** @throws IllegalArgumentException unless {@code beta} is zero or a finite positive number */
	public static double requireEarlyRefreshBeta(@Nullable Double beta) {
		if (beta == null || !(beta >= 0) || beta.isInfinite()) {
			throw new IllegalArgumentException("early-refresh.beta must be 0 (off) or a finite positive number "
					+ "such as 1.0; was " + beta);
		}
		return beta;
	}

	/** @throws IllegalArgumentException unless {@code staleIfError} is zero or positive */
	public static Duration requireStaleIfError(@Nullable Duration staleIfError) {
		if (staleIfError == null || staleIfError.isNegative()) {
			throw new IllegalArgumentException("stale-if-error must be 0 (serve the failure) or a positive duration "
					+ "such as 5m; was " + staleIfError);
		}
		return staleIfError;
	}

	/** @throws IllegalArgumentException unless {@code loadTimeout} is positive */
	public static Duration requireLoadTimeout(@Nullable Duration loadTimeout) {
		if (loadTimeout == null || loadTimeout.isNegative() || loadTimeout.isZero()) {
			throw new IllegalArgumentException("load-timeout must be a positive duration such as 60s (no load holds "
					+ "its key for ever); was " + loadTimeout);
		}
		return loadTimeout;
	}

	/** @throws IllegalArgumentException unless {@code failureTtl} is zero or positive */
	public static Duration requireFailureTtl(@Nullable Duration failureTtl) {
		if (failureTtl == null || failureTtl.isNegative()) {
			throw new IllegalArgumentException("failure-ttl must be 0 (cache no failure) or a positive duration such as "
					+ "2s; was " + failureTtl);
		}
		return failureTtl;
	}

	/** Whether a failed load's exception is served to the callers of its key for a while. */
	public boolean cachesFailures() {
		return !this.failureTtl.isZero();
	}

	/**
	 * One draw of how long a failure is served: {@code failureTtl} plus the instance's jitter,
	 * uniform in {@code [0, min(jitter, failureTtl)]}. A share such as {@code 10%} is taken of
	 * the failure-ttl; a fixed jitter is capped at the failure-ttl, so that a jitter meant for a
	 * long ttl never stretches a short failure window many times over. Zero when failures are not
	 * cached.
	 */
	public long failureWindowNanos() {
		long base = this.failureTtl.toNanos();
		long max = Math.min(this.jitter.max(this.failureTtl).toNanos(), base);
		return base + ((max <= 0) ? 0 : ThreadLocalRandom.current().nextLong(max + 1));
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
