package dev.collapse.core;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

/**
 * How the leader retries a failed load: at most {@code maxAttempts} executions in all, the k-th
 * retry after a delay uniform in {@code [0, min(maxDelay, baseDelay * 2^(k-1))]} (full jitter).
 * Followers never retry: they wait for the leader's final outcome. Immutable; the constructor
 * refuses a value out of its range and copies the lists.
 *
 * @param maxAttempts executions in all, 1 = no retry
 * @param baseDelay first backoff ceiling
 * @param maxDelay largest backoff ceiling
 * @param retryOn exceptions that are retried (with their subclasses); empty = every {@link Exception}
 * (never a {@link CollapseTimeoutException} nor a {@link CollapseRecursionException}, see {@link #retries})
 * @param ignore exceptions that are never retried, even when {@code retryOn} matches
 */
public record RetrySettings(int maxAttempts, Duration baseDelay, Duration maxDelay,
		List<Class<? extends Throwable>> retryOn, List<Class<? extends Throwable>> ignore) {

	/** One attempt, no retry: the delays are never used. */
	public static final RetrySettings NONE = new RetrySettings(1, Duration.ZERO, Duration.ZERO, List.of(), List.of());

	/**
	 * @throws IllegalArgumentException naming the first setting out of its range
	 */
	public RetrySettings {
		requireMaxAttempts(maxAttempts);
		requireBaseDelay(baseDelay);
		requireMaxDelay(maxDelay, baseDelay);
		retryOn = List.copyOf(retryOn);
		ignore = List.copyOf(ignore);
	}

	// --- The range of each setting, stated once; configuration calls these one setting at a time,
	// so that a failure can name the property the value came from.

	/** @throws IllegalArgumentException unless {@code maxAttempts} is at least 1 */
	public static int requireMaxAttempts(@Nullable Integer maxAttempts) {
		if (maxAttempts == null || maxAttempts < 1) {
			throw new IllegalArgumentException(
					"retry.max-attempts must be at least 1 (1 = no retry, 3 = two retries); was " + maxAttempts);
		}
		return maxAttempts;
	}

	/** @throws IllegalArgumentException unless {@code baseDelay} is zero or positive */
	public static Duration requireBaseDelay(@Nullable Duration baseDelay) {
		if (baseDelay == null || baseDelay.isNegative()) {
			throw new IllegalArgumentException(
					"retry.base-delay must be 0 or a positive duration such as 100ms; was " + baseDelay);
		}
		return baseDelay;
	}

	/** @throws IllegalArgumentException unless {@code maxDelay} is at least {@code baseDelay} */
	public static Duration requireMaxDelay(@Nullable Duration maxDelay, Duration baseDelay) {
		if (maxDelay == null || maxDelay.compareTo(baseDelay) < 0) {
			throw new IllegalArgumentException("retry.max-delay must be at least retry.base-delay (" + baseDelay
					+ "); was " + maxDelay);
		}
		return maxDelay;
	}

	/** Retries with these bounds, on every {@link Exception}. */
	public static RetrySettings of(int maxAttempts, Duration baseDelay, Duration maxDelay) {
		return new RetrySettings(maxAttempts, baseDelay, maxDelay, List.of(), List.of());
	}

	/**
	 * Whether a load that failed with {@code failure} may be tried again. Errors never are, nor
	 * is an {@link InterruptedException} or a {@link CollapseInterruptedException} (a nested
	 * collapsed call that was interrupted): the thread was asked to stop, and throwing it has
	 * usually cleared the interrupt status a retry would otherwise have seen. Nor are
	 * {@link CollapseTimeoutException} and {@link CollapseRecursionException}, whatever
	 * {@code retryOn} says: a load that called another collapsed key and waited out its timeout
	 * would make every caller wait that timeout once more per attempt, and a recursive call fails
	 * the same way every time.
	 */
	public boolean retries(Throwable failure) {
		if (!(failure instanceof Exception) || failure instanceof InterruptedException
				|| failure instanceof CollapseInterruptedException || failure instanceof CollapseTimeoutException || failure instanceof CollapseRecursionException) {
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
