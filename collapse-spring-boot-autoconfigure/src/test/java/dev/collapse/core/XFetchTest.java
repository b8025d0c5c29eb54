package dev.collapse.core;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.collapse.core.RefreshFixtures.Counts;
import dev.collapse.core.RefreshFixtures.ManualTicker;
import dev.collapse.core.RefreshFixtures.RecordingExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * X-Fetch's dice (docs/design.md, X-Fetch): a read at {@code g} before expiry of an entry that took
 * {@code Δ} to load rolls a refresh with probability {@code exp(−g/(βΔ))}.
 *
 * <p>Statistical tolerance: each share is measured over {@code n} independent draws and must lie
 * within 5 binomial standard deviations, {@code 5·sqrt(p(1−p)/n)}, plus 1e-9 for rounding, of the
 * exact probability. A correct implementation fails one such check with probability about
 * 6·10⁻⁷ (two-sided normal tail beyond 5σ); a rule off by a factor in {@code g}, {@code β} or
 * {@code Δ} shifts the share by many σ and fails every time.
 */
class XFetchTest {

	private static final int DRAWS = 200_000;

	private static final long DELTA = Duration.ofMillis(200).toNanos();

	@ParameterizedTest(name = "g = {0} ms, beta = {1}")
	@CsvSource({
			// g (ms before expiry), beta
			"100, 1", "200, 1", "500, 1", "1000, 1", // the numbers docs/refresh.md quotes
			"200, 0.5", "200, 2", "1000, 2", "1000, 0.5", //
			"2000, 1", // exp(-10) = 4.5e-5: rare but not skipped
			"1, 1" })
	void shareOfReadsThatRefreshMatchesExpOfMinusGapOverBetaDelta(long gapMillis, double beta) {
		long gap = Duration.ofMillis(gapMillis).toNanos();
		long now = 5_000_000_000L;
		int refreshes = 0;
		for (int i = 0; i < DRAWS; i++) {
			if (XFetch.shouldRefresh(now, now + gap, DELTA, beta)) {
				refreshes++;
			}
		}
		double expected = Math.exp(-gap / (beta * DELTA));
		double share = refreshes / (double) DRAWS;
		assertThat(share).as("share of %d reads that refresh at g=%dms, beta=%s", DRAWS, gapMillis, beta)
			.isCloseTo(expected, within(tolerance(expected, DRAWS)));
	}

	@Test
	void betaZeroNeverRefreshes() {
		for (long gap : new long[] { -DELTA, 0, 1, DELTA, 10 * DELTA }) {
			for (int i = 0; i < 10_000; i++) {
				assertThat(XFetch.shouldRefresh(0, gap, DELTA, 0)).isFalse();
			}
		}
	}

	@Test
	void loadThatTookNoTimeNeverRefreshesEarly() {
		// Δ = 0 means nothing is gained by refreshing ahead: exp(-g/0) = 0 for every g > 0
		for (int i = 0; i < 10_000; i++) {
			assertThat(XFetch.shouldRefresh(0, 1, 0, 1.0)).isFalse();
		}
	}

	@Test
	void atOrAfterExpiryEveryReadRefreshes() {
		for (long gap : new long[] { 0, -1, -DELTA, -100 * DELTA }) {
			for (int i = 0; i < DRAWS / 10; i++) {
				assertThat(XFetch.shouldRefresh(1_000, 1_000 + gap, DELTA, 1.0)).isTrue();
			}
		}
	}

	@Test
	void farFromExpiryNoReadRefreshes() {
		// beyond 32·βΔ the draw is skipped; the exact chance there is below e^-32 ≈ 1.3e-14
		for (double beta : new double[] { 0.5, 1, 2 }) {
			long gap = (long) (32 * beta * DELTA) + 1;
			for (int i = 0; i < DRAWS; i++) {
				assertThat(XFetch.shouldRefresh(0, gap, DELTA, beta)).isFalse();
			}
		}
	}

	@Test
	void ruleForAGivenDrawIsTheInequalityOfThePaper() {
		// now − βΔ·ln(rand) ≥ e  ⇔  −βΔ·ln(rand) ≥ g
		double scale = 200;
		// rand = e^-1 reaches exactly βΔ before expiry (up to rounding of the logarithm)
		assertThat(XFetch.shouldRefresh(199.999, scale, Math.exp(-1))).isTrue();
		assertThat(XFetch.shouldRefresh(200.001, scale, Math.exp(-1))).isFalse();
		assertThat(XFetch.shouldRefresh(0, scale, 1.0)).isTrue(); // rand = 1 refreshes only at expiry, equality included
		assertThat(XFetch.shouldRefresh(1, scale, 1.0)).isFalse();
		assertThat(XFetch.shouldRefresh(100_000, scale, Double.MIN_VALUE)).isTrue(); // -ln(MIN_VALUE) ≈ 744
	}

	/**
	 * The instance rolls with the Δ it measured on the load and the β of its own settings: reads
	 * at 200 ms before expiry of an entry whose load took 200 ms (ticker time) submit a refresh
	 * with probability e^-1/β. The refreshes are recorded and never run, so every read sees the
	 * same entry.
	 */
	@ParameterizedTest(name = "beta = {0}")
	@CsvSource({ "1", "2", "0.5" })
	void instanceRollsWithTheMeasuredLoadTimeAndItsOwnBeta(double beta) throws Throwable {
		ManualTicker ticker = new ManualTicker();
		Counts counts = new Counts();
		RecordingExecutor refreshes = new RecordingExecutor();
		try (CollapseRegistry registry = RefreshFixtures.registry(ticker, counts, refreshes)) {
			CollapseInstance instance = registry.register("xfetch",
					RefreshFixtures.settings(Duration.ofSeconds(10), beta, RetrySettings.NONE, Duration.ZERO));
			Loader slow = () -> {
				ticker.advanceNanos(DELTA);
				return "v";
			};
			instance.call("k", slow);
			assertThat(counts.lastLoadNanos.get()).isEqualTo(DELTA);
			ticker.advance(Duration.ofSeconds(10).minusMillis(200));
			int reads = 40_000;
			for (int i = 0; i < reads; i++) {
				assertThat(instance.call("k", slow)).isEqualTo("v");
			}
			double expected = Math.exp(-1 / beta);
			double share = refreshes.submitted() / (double) reads;
			assertThat(share).isCloseTo(expected, within(tolerance(expected, reads)));
			assertThat(counts.calls(CallResult.HIT)).isEqualTo(reads);
			assertThat(counts.loads()).as("no refresh ran").isEqualTo(1);
		}
	}

	@Test
	void instanceWithBetaZeroNeverSubmitsARefresh() throws Throwable {
		ManualTicker ticker = new ManualTicker();
		RecordingExecutor refreshes = new RecordingExecutor();
		try (CollapseRegistry registry = RefreshFixtures.registry(ticker, new Counts(), refreshes)) {
			CollapseInstance instance = registry.register("off",
					RefreshFixtures.settings(Duration.ofSeconds(10), 0, RetrySettings.NONE, Duration.ZERO));
			instance.call("k", () -> {
				ticker.advanceNanos(DELTA);
				return "v";
			});
			ticker.advance(Duration.ofSeconds(10).minusNanos(1)); // 1 ns before expiry
			for (int i = 0; i < 10_000; i++) {
				instance.call("k", () -> "never");
			}
			assertThat(refreshes.submitted()).isZero();
		}
	}

	/** 5 binomial standard deviations of a share over {@code n} draws, plus rounding slack. */
	static double tolerance(double p, int n) {
		return 5 * Math.sqrt(p * (1 - p) / n) + 1e-9;
	}

}
