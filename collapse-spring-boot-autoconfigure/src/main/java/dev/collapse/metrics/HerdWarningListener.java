package dev.collapse.metrics;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import dev.collapse.core.CollapseListener;
import dev.collapse.core.InstanceEvents;
import dev.collapse.core.InstanceView;

/**
 * Logs one WARN line when one load served more callers than a threshold: a herd that collapse
 * absorbed, but one an operator may want to hear about (a hot key, a ttl too short, a cold start).
 * At most one line per instance per interval; herds in between are counted into the next line.
 * A line names the instance, the herd size and the load time; never a key or a value.
 */
public final class HerdWarningListener implements CollapseListener {

	private static final Log logger = LogFactory.getLog(HerdWarningListener.class);

	private final int threshold;

	private final long intervalNanos;

	private final Duration interval;

	private final LongSupplier nanoClock;

	/**
	 * @param threshold a herd of more callers than this is reported
	 * @param interval shortest time between two lines about the same instance
	 */
	public HerdWarningListener(int threshold, Duration interval) {
		this(threshold, interval, System::nanoTime);
	}

	HerdWarningListener(int threshold, Duration interval, LongSupplier nanoClock) {
		if (threshold < 1) {
			throw new IllegalArgumentException("collapse.herd.warn-threshold must be at least 1, was " + threshold);
		}
		if (interval.isNegative()) {
			throw new IllegalArgumentException("collapse.herd.warn-interval must not be negative, was " + interval);
		}
		this.threshold = threshold;
		this.interval = interval;
		this.intervalNanos = interval.toNanos();
		this.nanoClock = nanoClock;
	}

	@Override
	public InstanceEvents bind(InstanceView instance) {
		return new InstanceWarnings(instance.name());
	}

	private final class InstanceWarnings implements InstanceEvents {

		private final String name;

		/** Clock reading from which the next line may be written; advanced by the thread that writes. */
		private final AtomicLong nextLineAt;

		/** Herds above the threshold not written since the last line. */
		private final AtomicLong unreported = new AtomicLong();

		InstanceWarnings(String name) {
			this.name = name;
			this.nextLineAt = new AtomicLong(HerdWarningListener.this.nanoClock.getAsLong());
		}

		@Override
		public void onHerd(Object key, int callers, long loadNanos) {
			if (callers <= HerdWarningListener.this.threshold || !logger.isWarnEnabled()) {
				return;
			}
			long now = HerdWarningListener.this.nanoClock.getAsLong();
			long next = this.nextLineAt.get();
			// one winner per interval: the thread whose compareAndSet moves the mark writes the line
			if (now - next < 0 || !this.nextLineAt.compareAndSet(next, now + HerdWarningListener.this.intervalNanos)) {
				this.unreported.incrementAndGet();
				return;
			}
			long skipped = this.unreported.getAndSet(0);
			logger.warn("collapse instance '" + this.name + "': one load served " + callers + " callers in "
					+ TimeUnit.NANOSECONDS.toMillis(loadNanos) + " ms (collapse.herd.warn-threshold="
					+ HerdWarningListener.this.threshold + ")"
					+ ((skipped > 0) ? "; " + skipped + " more such herds since the last warning" : "")
					+ "; at most one warning per instance every " + HerdWarningListener.this.interval);
		}

	}

}
