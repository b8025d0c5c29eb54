package dev.collapse.core;

import java.time.Duration;

/**
 * How the leader retries a failed load: at most {@code maxAttempts} executions in all, the delay
 * before attempt {@code n + 1} uniform in {@code [0, min(maxDelay, baseDelay * 2^n)]} (full jitter).
 * Followers never retry: they wait for the leader's final outcome.
 *
 * @param maxAttempts executions in all, 1 = no retry
 * @param baseDelay first backoff ceiling
 * @param maxDelay largest backoff ceiling
 */
public record RetrySettings(int maxAttempts, Duration baseDelay, Duration maxDelay) {

	/** One attempt, no retry. */
	public static final RetrySettings NONE = new RetrySettings(1, Duration.ofMillis(100), Duration.ofSeconds(2));

	public RetrySettings {
		if (maxAttempts < 1) {
			throw new IllegalArgumentException("retry.max-attempts must be at least 1, was " + maxAttempts);
		}
		if (baseDelay.isNegative()) {
			throw new IllegalArgumentException("retry.base-delay must not be negative, was " + baseDelay);
		}
		if (maxDelay.compareTo(baseDelay) < 0) {
			throw new IllegalArgumentException(
					"retry.max-delay (" + maxDelay + ") must not be shorter than retry.base-delay (" + baseDelay + ")");
		}
	}

}
