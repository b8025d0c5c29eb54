package dev.collapse.core;

import java.time.Duration;
import java.util.List;

/**
 * How the leader retries a failed load: at most {@code maxAttempts} executions in all, the k-th
 * retry after a delay uniform in {@code [0, min(maxDelay, baseDelay * 2^(k-1))]} (full jitter).
 * Followers never retry: they wait for the leader's final outcome.
 *
 * @param maxAttempts executions in all, 1 = no retry
 * @param baseDelay first backoff ceiling
 * @param maxDelay largest backoff ceiling
 * @param retryOn exceptions that are retried (with their subclasses); empty = every {@link Exception}
 * @param ignore exceptions that are never retried, even when {@code retryOn} matches
 */
public record RetrySettings(int maxAttempts, Duration baseDelay, Duration maxDelay,
		List<Class<? extends Throwable>> retryOn, List<Class<? extends Throwable>> ignore) {

	/** One attempt, no retry. */
	public static final RetrySettings NONE = new RetrySettings(1, Duration.ofMillis(100), Duration.ofSeconds(2),
			List.of(), List.of());

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
		retryOn = List.copyOf(retryOn);
		ignore = List.copyOf(ignore);
	}

	/** Retries with these bounds, on every {@link Exception}. */
	public static RetrySettings of(int maxAttempts, Duration baseDelay, Duration maxDelay) {
		return new RetrySettings(maxAttempts, baseDelay, maxDelay, List.of(), List.of());
	}

	/**
	 * Whether a load that failed with {@code failure} may be tried again. Errors never are, nor
	 * is an {@link InterruptedException}: the thread was asked to stop, and throwing it has
	 * usually cleared the interrupt status a retry would otherwise have seen.
	 */
	public boolean retries(Throwable failure) {
		if (!(failure instanceof Exception) || failure instanceof InterruptedException) {
			return false;
		}
		for (Class<? extends Throwable> type : this.ignore) {
			if (type.isInstance(failure)) {
				return false;
			}
		}
		if (this.retryOn.isEmpty()) {
			return true;
		}
		for (Class<? extends Throwable> type : this.retryOn) {
			if (type.isInstance(failure)) {
				return true;
			}
		}
		return false;
	}

}
