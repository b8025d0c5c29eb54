package dev.collapse.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Ticker;

/** A ticker that moves only when a test moves it, so that expiry is checked without sleeping. */
public final class ManualTicker implements Ticker {

	private final AtomicLong nanos = new AtomicLong(1_000_000_000L);

	@Override
	public long read() {
		return this.nanos.get();
	}

	public void advance(Duration duration) {
		this.nanos.addAndGet(duration.toNanos());
	}

	public void advanceNanos(long delta) {
		this.nanos.addAndGet(delta);
	}

}
