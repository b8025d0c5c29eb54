package dev.collapse.autoconfigure;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.collapse.annotation.Collapsed;
import dev.collapse.aop.CollapseContexts;
import dev.collapse.aop.CollapsedAdvisor;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.Collapser;
import dev.collapse.core.Herd;
import dev.collapse.core.PassThroughCollapser;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code collapse.enabled=false}: annotated methods are plain calls, the Collapser passes through. */
class DisabledSwitchTest {

	private static final int CALLERS = 20;

	@Test
	void concurrentCallersEachRunTheMethod() {
		CollapseContexts.runner()
			.withPropertyValues("collapse.enabled=false")
			.withUserConfiguration(InventoryConfiguration.class)
			.run((context) -> {
				assertThat(context).hasNotFailed();
				Inventory inventory = context.getBean(Inventory.class);
				assertThat(AopUtils.isAopProxy(inventory)).as("not proxied").isFalse();
				assertThat(context).doesNotHaveBean(CollapsedAdvisor.class).doesNotHaveBean(CollapseRegistry.class);
				// every call waits inside the method until all of them are in: collapsed calls would never all get there
				List<Future<Boolean>> callers = new ArrayList<>();
				try (Herd herd = new Herd(CALLERS)) {
					for (int i = 0; i < CALLERS; i++) {
						callers.add(herd.add(() -> inventory.allInside(1L)));
					}
					herd.release();
					for (Future<Boolean> caller : callers) {
						assertThat(Herd.result(caller)).as("all %d callers inside the method at once", CALLERS).isTrue();
					}
				}
				assertThat(inventory.loads).hasValue(CALLERS);
			});
	}

	@Test
	void collapserBeanStillExistsAndRunsEveryLoader() {
		CollapseContexts.runner().withPropertyValues("collapse.enabled=false").run((context) -> {
			Collapser collapser = context.getBean(Collapser.class);
			assertThat(collapser).isInstanceOf(PassThroughCollapser.class);
			AtomicInteger loads = new AtomicInteger();
			collapser.collapse("rates", "EUR", loads::incrementAndGet);
			collapser.collapse("rates", "EUR", loads::incrementAndGet);
			assertThat(loads).hasValue(2);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class InventoryConfiguration {

		@Bean
		Inventory inventory() {
			return new Inventory();
		}

	}

	static class Inventory {

		final AtomicInteger loads = new AtomicInteger();

		private final CountDownLatch inside = new CountDownLatch(CALLERS);

		@Collapsed(ttl = "1m")
		public boolean allInside(Long id) throws InterruptedException {
			this.loads.incrementAndGet();
			this.inside.countDown();
			return this.inside.await(Herd.PATIENCE.toSeconds(), TimeUnit.SECONDS);
		}

	}

}
