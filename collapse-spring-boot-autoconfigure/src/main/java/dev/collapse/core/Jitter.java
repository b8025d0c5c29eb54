package dev.collapse.core;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

import org.jspecify.annotations.Nullable;

/**
 * Random extra time to live added to each stored entry, uniform in {@code [0, max]}, so that
 * entries written together do not expire together. Either a fixed duration or a share of the ttl.
 * Immutable and thread-safe; {@link #sampleNanos} draws from the calling thread's own random.
 */
public final class Jitter {

	/** No jitter: every entry lives exactly its ttl. */
	public static final Jitter NONE = new Jitter(Duration.ZERO, -1);

	/** The largest extra time, or {@code null} when {@link #fraction} applies. */
	private final @Nullable Duration fixed;

	/** Share of the ttl, or -1 when {@link #fixed} applies. */
	private final double fraction;

	private Jitter(@Nullable Duration fixed, double fraction) {
		this.fixed = fixed;
		this.fraction = fraction;
	}

	/**
	 * Jitter of at most {@code max}.
	 * @throws IllegalArgumentException if {@code max} is negative
	 */
	public static Jitter of(Duration max) {
		if (max.isNegative()) {
			throw new IllegalArgumentException("jitter must not be negative, was " + max);
		}
		return max.isZero() ? NONE : new Jitter(max, -1);
	}

	/**
	 * Jitter of at most {@code percent}% of the ttl.
	 * @throws IllegalArgumentException if {@code percent} is negative or not a number
	 */
	public static Jitter percent(double percent) {
		if (!(percent >= 0) || Double.isInfinite(percent)) {
			throw new IllegalArgumentException("jitter percentage must be zero or more, was " + percent + "%");
		}
		return percent == 0 ? NONE : new Jitter(null, percent / 100.0);
	}

	/**
	 * Jitter written as text: a share of the ttl such as {@code "10%"}, or a duration such as
	 * {@code "30s"} read by {@code durations}.
	 * @throws IllegalArgumentException saying what is wrong and what is allowed
	 */
	public static Jitter parse(@Nullable String text, Function<String, Duration> durations) {
		String value = (text != null) ? text.trim() : "";
		try {
			if (value.endsWith("%")) {
				return percent(Double.parseDouble(value.substring(0, value.length() - 1).trim()));
			}
			return of(durations.apply(value));
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalArgumentException("jitter must be a duration such as 30s or a share of the ttl such as "
					+ "10%, zero or more; was '" + value + "'", ex);
		}
	}

	/** Largest extra time for entries with the given ttl. */
	public Duration max(Duration ttl) {
		if (this.fixed != null) {
			return this.fixed;
		}
		return Duration.ofNanos((long) (ttl.toNanos() * this.fraction));
	}

	/** One draw, uniform in {@code [0, max(ttl)]}, in nanoseconds. */
	public long sampleNanos(Duration ttl) {
		long max = (this.fixed != null) ? this.fixed.toNanos() : (long) (ttl.toNanos() * this.fraction);
		return (max <= 0) ? 0 : ThreadLocalRandom.current().nextLong(max + 1);
	}

	@Override
	public boolean equals(@Nullable Object other) {
		return (other instanceof Jitter that) && java.util.Objects.equals(this.fixed, that.fixed)
				&& this.fraction == that.fraction;
	}

	@Override
	public int hashCode() {
		return java.util.Objects.hash(this.fixed, this.fraction);
	}

	@Override
	public String toString() {
		return (this.fixed != null) ? this.fixed.toString() : (this.fraction * 100) + "%";
	}

}
