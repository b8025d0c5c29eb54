package dev.collapse.core;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Probabilistic early refresh (Vattani, Chierichetti, Lowenstein, VLDB 2015). A read at time
 * {@code now} of an entry that expires at {@code e} and took {@code delta} to load refreshes it
 * when {@code now - delta * beta * ln(rand) >= e}, rand uniform in (0, 1]. At a gap {@code g}
 * before expiry that happens with probability {@code exp(-g / (beta * delta))}: almost never while
 * the entry is young, more and more often as it nears expiry, and sooner for slow loads.
 */
final class XFetch {

	/** Beyond this many {@code beta * delta} before expiry the chance is under e^-32: skip the draw. */
	private static final double HORIZON = 32;

	private XFetch() {
	}

	/** Rolls the dice for one read; cheap when the entry is far from expiry. */
	static boolean shouldRefresh(long now, long expiresAt, long deltaNanos, double beta) {
		double scale = beta * deltaNanos;
		double gap = expiresAt - now;
		if (scale <= 0 || gap > HORIZON * scale) {
			return false;
		}
		return shouldRefresh(gap, scale, 1.0 - ThreadLocalRandom.current().nextDouble());
	}

	/** The rule itself, for a given draw {@code rand} in (0, 1]. */
	static boolean shouldRefresh(double gap, double scale, double rand) {
		return -scale * Math.log(rand) >= gap;
	}

}
