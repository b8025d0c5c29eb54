package dev.collapse.autoconfigure;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.collapse.annotation.Collapsed;
import dev.collapse.aop.CollapseContexts;
import dev.collapse.core.LocalStore;
import dev.collapse.core.ManualTicker;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The annotation's ttl and jitter reach the store: with the application's own {@link LocalStore}
 * on a ticker the test moves, 1,000 results cached together expire spread over [ttl, ttl + jitter].
 */
class ExpiryThroughTheProxyTest {

	@Test
	void resultsExpireSpreadOverTtlPlusJitter() {
		ManualTicker ticker = new ManualTicker();
		CollapseContexts.runner()
			.withBean("manualStore", LocalStore.class, () -> new LocalStore(10_000, ticker))
			.withBean(Quotes.class)
			.withPropertyValues("collapse.instances.quotes.early-refresh.beta=0")
			.run((context) -> {
				Quotes quotes = context.getBean(Quotes.class);
				assertThat(reloads(quotes)).as("first calls").isEqualTo(1_000);
				assertThat(reloads(quotes)).as("all cached").isZero();

				ticker.advance(Duration.ofSeconds(60).minusNanos(1));
				assertThat(reloads(quotes)).as("expired before ttl").isZero();
				ticker.advance(Duration.ofSeconds(3).plusNanos(1));
				int byMidpoint = reloads(quotes);
				ticker.advance(Duration.ofSeconds(3));
				int rest = reloads(quotes);
				assertThat(byMidpoint).as("expired by ttl + jitter / 2").isBetween(400, 600);
				assertThat(byMidpoint + rest).as("expired by ttl + jitter").isEqualTo(1_000);
			});
	}

	@Test
	void ttlZeroKeepsNothing() {
		CollapseContexts.runner().withBean(Quotes.class).run((context) -> {
			Quotes quotes = context.getBean(Quotes.class);
			quotes.uncached(1);
			quotes.uncached(1);
			assertThat(quotes.uncachedLoads()).isEqualTo(2);
		});
	}

	/** Calls every key once; returns how many had to load. */
	private static int reloads(Quotes quotes) {
		int before = quotes.loads();
		for (int i = 0; i < 1_000; i++) {
			assertThat(quotes.quote(i)).isEqualTo("quote " + i);
		}
		return quotes.loads() - before;
	}

	public static class Quotes {

		private final AtomicInteger loads = new AtomicInteger();

		private final AtomicInteger uncachedLoads = new AtomicInteger();

		@Collapsed(name = "quotes", ttl = "60s", jitter = "10%")
		public String quote(int id) {
			this.loads.incrementAndGet();
			return "quote " + id;
		}

		@Collapsed(name = "uncached", ttl = "0")
		public String uncached(int id) {
			this.uncachedLoads.incrementAndGet();
			return "quote " + id;
		}

		public int loads() {
			return this.loads.get();
		}

		public int uncachedLoads() {
			return this.uncachedLoads.get();
		}

	}

}
