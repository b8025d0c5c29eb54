package dev.collapse.core;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: the k-th retry (k = 1, 2, ...) waits a time uniform in
 * {@code [0, min(maxDelay, baseDelay * 2^(k-1))]}, so that callers that failed together do not
 * retry together.
 */
final class Backoff {

	private Backoff() {
	}

	/** Upper bound of the wait before the {@code retry}-th retry, in nanoseconds. */
	static long ceilingNanos(RetrySettings settings, int retry) {
		long base = settings.baseDelay().toNanos();
		long max = settings.maxDelay().toNanos();
		int shift = Math.min(retry - 1, 62);
		long ceiling = (base > (Long.MAX_VALUE >> shift)) ? Long.MAX_VALUE : base << shift;
		return Math.min(max, ceiling);
	}

	/** One draw of the wait before the {@code retry}-th retry, in nanoseconds. */
	static long delayNanos(RetrySettings settings, int retry) {
		long ceiling = ceilingNanos(settings, retry);
		return (ceiling <= 0) ? 0 : ThreadLocalRandom.current().nextLong(ceiling + 1);
	}

}
