package dev.collapse.oauth2;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import org.jspecify.annotations.Nullable;

/** The real time, or a fixed instant a test sets: the time the nodes judge tokens by. */
public final class TestClock extends Clock {

	private volatile @Nullable Instant fixed;

	/** From now on, {@link #instant()} is {@code instant} until set again. */
	public void set(Instant instant) {
		this.fixed = instant;
	}

	/** Back to the real time. */
	public void reset() {
		this.fixed = null;
	}

	@Override
	public Instant instant() {
		Instant instant = this.fixed;
		return (instant != null) ? instant : Instant.now();
	}

	@Override
	public ZoneId getZone() {
		return ZoneOffset.UTC;
	}

	@Override
	public Clock withZone(ZoneId zone) {
		throw new UnsupportedOperationException();
	}

}
