package dev.collapse.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import dev.collapse.annotation.Collapsed;
import dev.collapse.aop.CollapseContexts;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.Collapser;
import dev.collapse.core.Herd;

import static org.assertj.core.api.Assertions.assertThat;

/** The {@link Collapser} bean of an application: collapses suppliers, evicts annotated methods' entries. */
class CollapserBeanTest {

	@Test
	void concurrentSuppliersOfOneKeyShareOneLoad() {
		CollapseContexts.runner().run((context) -> {
			Collapser collapser = context.getBean(Collapser.class);
			AtomicInteger loads = new AtomicInteger();
			CountDownLatch loadMayFinish = new CountDownLatch(1);
			List<Future<String>> callers = new ArrayList<>();
			try (Herd herd = new Herd(100)) {
				for (int i = 0; i < 100; i++) {
					callers.add(herd.add(() -> collapser.collapse("rates", "EUR", () -> {
						loads.incrementAndGet();
						Herd.hold(loadMayFinish);
						return "1.08";
					})));
				}
				herd.release();
				Herd.awaitFollowers(context.getBean(CollapseRegistry.class).instance("rates"), "EUR", 99);
				loadMayFinish.countDown();
				for (Future<String> caller : callers) {
					assertThat(Herd.result(caller)).isEqualTo("1.08");
				}
			}
			assertThat(loads).hasValue(1);
		});
	}

	@Test
	void evictAndEvictAllReachTheEntriesOfAnAnnotatedMethod() {
		CollapseContexts.runner().withBean(Prices.class).run((context) -> {
			Collapser collapser = context.getBean(Collapser.class);
			Prices prices = context.getBean(Prices.class);
			String first = prices.price("EUR");
			String other = prices.price("USD");
			assertThat(prices.price("EUR")).as("cached").isEqualTo(first);
			collapser.evict("prices", "EUR");
			assertThat(prices.price("EUR")).as("evicted, loaded again").isNotEqualTo(first);
			assertThat(prices.price("USD")).as("another key stays").isEqualTo(other);
			collapser.evictAll("prices");
			assertThat(prices.price("USD")).as("every key evicted").isNotEqualTo(other);
		});
	}

	@Test
	void collapserSharesTheAnnotatedMethodsEntries() {
		CollapseContexts.runner().withBean(Prices.class).run((context) -> {
			Collapser collapser = context.getBean(Collapser.class);
			String stored = context.getBean(Prices.class).price("EUR");
			assertThat(collapser.collapse("prices", "EUR", () -> "from code")).isEqualTo(stored);
		});
	}

	@Test
	void collapserMeetsAnAnnotatedMethodsArrayKeyByContent() {
		CollapseContexts.runner().withBean(Codes.class).run((context) -> {
			Collapser collapser = context.getBean(Collapser.class);
			Codes codes = context.getBean(Codes.class);
			String stored = codes.code(new byte[] { 1, 2, 3 });
			assertThat(collapser.collapse("codes", new byte[] { 1, 2, 3 }, () -> "from code"))
				.as("an equal array reads the method's entry").isEqualTo(stored);
			collapser.evict("codes", new byte[] { 1, 2, 3 });
			assertThat(codes.code(new byte[] { 1, 2, 3 })).as("evicted through an equal array, loaded again")
				.isNotEqualTo(stored);
		});
	}

	public static class Codes {

		private final AtomicInteger loads = new AtomicInteger();

		@Collapsed(name = "codes", ttl = "1h")
		public String code(byte[] bytes) {
			return bytes.length + " bytes #" + this.loads.incrementAndGet();
		}

	}

	public static class Prices {

		private final AtomicInteger loads = new AtomicInteger();

		@Collapsed(name = "prices", key = "#currency", ttl = "1h")
		public String price(String currency) {
			return currency + " #" + this.loads.incrementAndGet();
		}

	}

}
