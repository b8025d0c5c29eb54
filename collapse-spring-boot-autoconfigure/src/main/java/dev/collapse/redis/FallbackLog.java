package dev.collapse.redis;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The log of the Redis layer's fallbacks: at most one warning per interval however many calls
 * fail, the next one counting those left out, and one line when Redis answers again.
 */
final class FallbackLog {

	/** Under the layer's name, which operators already use to tune these lines. */
	private static final Log logger = LogFactory.getLog(RedisDistributedLayer.class);

	private final long intervalNanos;

	/** {@link System#nanoTime} of the last warning, {@link Long#MIN_VALUE} before the first; set by CAS. */
	private final AtomicLong lastWarning = new AtomicLong(Long.MIN_VALUE);

	/** Failures since the last warning that it did not report; taken by the next warning. */
	private final AtomicLong suppressed = new AtomicLong();

	FallbackLog(Duration interval) {
		this.intervalNanos = interval.toNanos();
	}

	/** A call or a probe failed for {@code error} (a class and a Redis error code, never a message). */
	void fallingBack(String error) {
		long now = System.nanoTime();
		long last = this.lastWarning.get();
		if (last != Long.MIN_VALUE && now - last < this.intervalNanos) {
			this.suppressed.incrementAndGet();
			return;
		}
		if (this.lastWarning.compareAndSet(last, now)) {
			long left = this.suppressed.getAndSet(0);
			logger.warn("collapse: Redis does not answer (" + error + "); calls are collapsed in each JVM only until it does"
					+ ((left > 0) ? " (" + left + " more failures since the last report)" : ""));
		}
	}

	/** Redis answers again; said only if a failure was reported before ({@code wasDown}). */
	void recovered(boolean wasDown) {
		if (wasDown) {
			logger.info("collapse: Redis answers again; calls are collapsed across the fleet");
		}
	}

}
