package dev.collapse.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * TTL and jitter, through a ticker the test moves: entries written together expire spread over
 * {@code [ttl, ttl + jitter]}, never before ttl and all by ttl + jitter.
 */
class EntryExpiryTest {

	private static final int ENTRIES = 1_000;

	private final ManualTicker ticker = new ManualTicker();

	private final CollapseRegistry registry = Registries.registry(this.ticker);

	@AfterEach
	void close() {
		this.registry.close();
	}

	@Test
	void entriesWrittenTogetherExpireSpreadOverTtlPlusFixedJitter() throws Throwable {
		assertSpread(Duration.ofSeconds(60), Jitter.of(Duration.ofSeconds(30)), Duration.ofSeconds(30));
	}

	@Test
	void percentJitterIsAShareOfTheTtl() throws Throwable {
		assertSpread(Duration.ofSeconds(100), Jitter.percent(10), Duration.ofSeconds(10));
	}

	@Test
	void withoutJitterEveryEntryExpiresExactlyAtItsTtl() throws Throwable {
		CollapseInstance instance = this.registry.register("exact",
				Registries.caching(Duration.ofSeconds(60), Jitter.NONE, true));
		writeAll(instance);
		this.ticker.advance(Duration.ofSeconds(60).minusNanos(1));
		assertThat(reloads(instance)).isZero();
		this.ticker.advanceNanos(1);
		assertThat(reloads(instance)).isEqualTo(ENTRIES);
	}

	@Test
	void jitterSettingsAreChecked() {
		assertThat(Jitter.percent(10).max(Duration.ofSeconds(100))).isEqualTo(Duration.ofSeconds(10));
		assertThat(Jitter.of(Duration.ofSeconds(30)).max(Duration.ofSeconds(100))).isEqualTo(Duration.ofSeconds(30));
		assertThat(Jitter.percent(0)).isSameAs(Jitter.NONE);
		assertThatIllegalArgumentException().isThrownBy(() -> Jitter.of(Duration.ofSeconds(-5)))
			.withMessageContaining("jitter");
		assertThatIllegalArgumentException().isThrownBy(() -> Jitter.percent(-1)).withMessageContaining("jitter");
		assertThatIllegalArgumentException().isThrownBy(() -> Jitter.percent(Double.NaN));
	}

	/**
	 * Writes {@value #ENTRIES} entries at one instant, then moves time through the window. A key
	 * found expired is loaded again, and its new entry lives past the window, so the loads counted
	 * at each step are exactly the entries that expired since the previous step.
	 */
	private void assertSpread(Duration ttl, Jitter jitter, Duration maxJitter) throws Throwable {
		CollapseInstance instance = this.registry.register("spread", Registries.caching(ttl, jitter, true));
		writeAll(instance);
		long quarter = maxJitter.toNanos() / 4;

		this.ticker.advance(ttl.minusNanos(1));
		assertThat(reloads(instance)).as("expired before ttl").isZero();

		this.ticker.advanceNanos(1 + quarter);
		int byQuarter = reloads(instance);
		this.ticker.advanceNanos(quarter);
		int byHalf = byQuarter + reloads(instance);
		this.ticker.advanceNanos(quarter);
		int byThreeQuarters = byHalf + reloads(instance);
		this.ticker.advanceNanos(maxJitter.toNanos() - 3 * quarter);
		int byEnd = byThreeQuarters + reloads(instance);

		// uniform expiry: binomial counts, bounds at about five standard deviations
		assertThat(byQuarter).as("expired a quarter into the jitter").isBetween(180, 320);
		assertThat(byHalf).as("expired halfway").isBetween(400, 600);
		assertThat(byThreeQuarters).as("expired three quarters in").isBetween(680, 820);
		assertThat(byEnd).as("expired at ttl + jitter").isEqualTo(ENTRIES);
	}

	private static void writeAll(CollapseInstance instance) throws Throwable {
		for (int i = 0; i < ENTRIES; i++) {
			int key = i;
			instance.call(key, () -> "v" + key);
		}
		assertThat(reloads(instance)).as("all stored").isZero();
	}

	/** Calls every key once; returns how many had to load. */
	private static int reloads(CollapseInstance instance) throws Throwable {
		AtomicInteger loads = new AtomicInteger();
		for (int i = 0; i < ENTRIES; i++) {
			int key = i;
			assertThat(instance.call(key, () -> {
				loads.incrementAndGet();
				return "v" + key;
			})).isEqualTo("v" + key);
		}
		return loads.get();
	}

}
