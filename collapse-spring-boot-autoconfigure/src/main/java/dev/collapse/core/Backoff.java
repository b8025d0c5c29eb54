package dev.collapse.core;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter: the k-th retry (k = 1, 2, ...) waits a time uniform in
 * {@code [0, min(maxDelay, baseDelay * 2^(k-1))]}, so that callers that failed together do not
 * retry together. Arithmetic saturates at {@link Long#MAX_VALUE} nanoseconds (292 years): no
 * setting makes a draw throw.
 */
final class Backoff {

	private Backoff() {
	}

	/** Upper bound of the wait before the {@code retry}-th retry, in nanoseconds. */
	static long ceilingNanos(RetrySettings settings, int retry) {
		long base = saturatedNanos(settings.baseDelay());
		long max = saturatedNanos(settings.maxDelay());
		int shift = Math.min(Math.max(retry - 1, 0), 62);
		long ceiling = (base > (Long.MAX_VALUE >> shift)) ? Long.MAX_VALUE : base << shift;
		return Math.min(max, ceiling);
	}

	/** One draw of the wait before the {@code retry}-th retry, in nanoseconds. */
	static long delayNanos(RetrySettings settings, int retry) {
		long ceiling = ceilingNanos(settings, retry);
		if (ceiling <= 0) {
			return 0;
		}
		// nextLong's bound is exclusive; ceiling + 1 would overflow at the top of the range
		return (ceiling == Long.MAX_VALUE) ? ThreadLocalRandom.current().nextLong(ceiling)
				: ThreadLocalRandom.current().nextLong(ceiling + 1);
	}

	private static long saturatedNanos(Duration duration) {
		try {
			return duration.toNanos();
		}
		catch (ArithmeticException tooLong) {
			return Long.MAX_VALUE;
		}
	}

}
