package dev.collapse.aop;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.collapse.annotation.Collapsed;
import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseRecursionException;
import dev.collapse.core.CollapseTimeoutException;
import dev.collapse.core.Herd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The herd invariants through a real Spring proxy of a {@code @Collapsed} bean. */
class CollapsedProxyHerdTest {

	@Test
	void thousandCallersThroughTheProxyShareOneLoad() {
		CollapseContexts.runner().withUserConfiguration(CatalogConfiguration.class).run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			Probe probe = context.getBean(Probe.class);
			assertThat(AopUtils.isAopProxy(catalog)).isTrue();
			CollapseInstance instance = CollapseContexts.instance(context, "catalog");
			CountDownLatch loadMayFinish = new CountDownLatch(1);
			probe.duringLoad = (id) -> Herd.hold(loadMayFinish);
			List<Future<String>> callers = new ArrayList<>();
			try (Herd herd = new Herd(1_000)) {
				for (int i = 0; i < 1_000; i++) {
					callers.add(herd.add(() -> catalog.find(7L)));
				}
				herd.release();
				Herd.awaitFollowers(instance, 7L, 999);
				loadMayFinish.countDown();
				String first = Herd.result(callers.get(0));
				assertThat(first).isEqualTo("product 7");
				for (Future<String> caller : callers) {
					assertThat(Herd.result(caller)).isSameAs(first);
				}
			}
			assertThat(probe.loads).hasValue(1);
			assertThat(instance.inflight()).isZero();
		});
	}

	@Test
	void hundredKeysOfFiftyCallersThroughTheProxyMakeHundredLoads() {
		CollapseContexts.runner().withUserConfiguration(CatalogConfiguration.class).run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			Probe probe = context.getBean(Probe.class);
			CollapseInstance instance = CollapseContexts.instance(context, "catalog");
			probe.duringLoad = (id) -> Herd.awaitFollowers(instance, id, 49);
			List<Future<String>> callers = new ArrayList<>();
			// queued key by key on 1,000 threads: see CollapseInstanceHerdTest
			try (Herd herd = new Herd(1_000)) {
				for (long k = 0; k < 100; k++) {
					long key = k;
					for (int c = 0; c < 50; c++) {
						callers.add(herd.add(() -> catalog.find(key)));
					}
				}
				herd.release();
				for (int i = 0; i < callers.size(); i++) {
					assertThat(Herd.result(callers.get(i))).isEqualTo("product " + (i / 50));
				}
			}
			assertThat(probe.loads).hasValue(100);
			assertThat(instance.inflight()).isZero();
		});
	}

	@Test
	void declaredCheckedExceptionReachesEveryCallerUnwrappedAndIsNotCached() {
		CollapseContexts.runner().withUserConfiguration(CatalogConfiguration.class).run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			Probe probe = context.getBean(Probe.class);
			CollapseInstance instance = CollapseContexts.instance(context, "catalog-stock");
			CountDownLatch loadMayFinish = new CountDownLatch(1);
			probe.duringLoad = (id) -> Herd.hold(loadMayFinish);
			probe.failure = new IOException("stock service down");
			List<Future<Integer>> callers = new ArrayList<>();
			try (Herd herd = new Herd(50)) {
				for (int i = 0; i < 50; i++) {
					callers.add(herd.add(() -> catalog.stock(7L)));
				}
				herd.release();
				Herd.awaitFollowers(instance, 7L, 49);
				loadMayFinish.countDown();
				for (Future<Integer> caller : callers) {
					assertThatThrownBy(() -> Herd.result(caller)).isSameAs(probe.failure);
				}
			}
			assertThat(probe.loads).hasValue(1);
			probe.duringLoad = (id) -> {
			};
			probe.failure = null;
			assertThat(catalog.stock(7L)).isEqualTo(42);
			assertThat(probe.loads).as("the failure was not cached").hasValue(2);
			assertThat(catalog.stock(7L)).isEqualTo(42);
			assertThat(probe.loads).as("the success is cached (ttl 5m)").hasValue(2);
		});
	}

	@Test
	void checkedExceptionOfASingleCallerIsNotWrapped() {
		CollapseContexts.runner().withUserConfiguration(CatalogConfiguration.class).run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			Probe probe = context.getBean(Probe.class);
			probe.failure = new IOException("stock service down");
			assertThatThrownBy(() -> catalog.stock(1L)).isSameAs(probe.failure);
		});
	}

	@Test
	void leaderRunsTheMethodOnTheCallersThreadWithItsThreadLocals() {
		CollapseContexts.runner().withUserConfiguration(CatalogConfiguration.class).run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			Probe probe = context.getBean(Probe.class);
			AtomicReference<Thread> loadingThread = new AtomicReference<>();
			AtomicReference<String> seen = new AtomicReference<>();
			probe.duringLoad = (id) -> {
				loadingThread.set(Thread.currentThread());
				seen.set(Catalog.CONTEXT.get());
			};
			Catalog.CONTEXT.set("tenant-42");
			try {
				assertThat(catalog.find(1L)).isEqualTo("product 1");
			}
			finally {
				Catalog.CONTEXT.remove();
			}
			assertThat(loadingThread.get()).isSameAs(Thread.currentThread());
			assertThat(seen.get()).isEqualTo("tenant-42");
		});
	}

	@Test
	void methodCallingItselfThroughTheProxyForTheSameKeyFailsFast() {
		CollapseContexts.runner().withUserConfiguration(CatalogConfiguration.class).run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			assertTimeoutPreemptively(Duration.ofSeconds(10),
					() -> assertThatThrownBy(() -> catalog.recursive(3L)).isInstanceOf(CollapseRecursionException.class)
						.hasMessageContaining("'catalog-recursive'"));
			assertThat(CollapseContexts.instance(context, "catalog-recursive").inflight()).isZero();
		});
	}

	@Test
	void followerPastTheWaitTimeoutAttributeGetsCollapseTimeoutException() {
		CollapseContexts.runner().withUserConfiguration(CatalogConfiguration.class).run((context) -> {
			Catalog catalog = context.getBean(Catalog.class);
			Probe probe = context.getBean(Probe.class);
			CollapseInstance instance = CollapseContexts.instance(context, "catalog-impatient");
			assertThat(instance.settings().waitTimeout()).isEqualTo(Duration.ofMillis(300));
			CountDownLatch loadMayFinish = new CountDownLatch(1);
			probe.duringLoad = (id) -> Herd.hold(loadMayFinish);
			try (Herd herd = new Herd(2)) {
				Future<String> leader = herd.add(() -> catalog.impatient(1L));
				herd.release();
				Herd.awaitFollowers(instance, 1L, 0);
				Future<String> follower = herd.add(() -> catalog.impatient(1L));
				assertThatThrownBy(() -> Herd.result(follower)).isInstanceOf(CollapseTimeoutException.class);
				assertThat(leader).isNotDone();
				loadMayFinish.countDown();
				assertThat(Herd.result(leader)).isEqualTo("product 1");
			}
			assertThat(probe.loads).hasValue(1);
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class CatalogConfiguration {

		@Bean
		Probe probe() {
			return new Probe();
		}

		@Bean
		Catalog catalog(Probe probe, ObjectProvider<Catalog> self) {
			return new Catalog(probe, self);
		}

	}

	/**
	 * What the test sees of the loads and how it steers them. A bean apart from {@link Catalog}:
	 * the test holds a class proxy of the catalog, whose own fields are not the target's.
	 */
	static class Probe {

		final AtomicInteger loads = new AtomicInteger();

		volatile Consumer<Long> duringLoad = (id) -> {
		};

		volatile IOException failure;

	}

	static class Catalog {

		static final ThreadLocal<String> CONTEXT = new ThreadLocal<>();

		private final Probe probe;

		private final ObjectProvider<Catalog> self;

		Catalog(Probe probe, ObjectProvider<Catalog> self) {
			this.probe = probe;
			this.self = self;
		}

		@Collapsed(name = "catalog", key = "#id", ttl = "0")
		public String find(Long id) {
			this.probe.loads.incrementAndGet();
			this.probe.duringLoad.accept(id);
			return new String("product " + id);
		}

		@Collapsed(name = "catalog-stock", ttl = "5m")
		public int stock(Long id) throws IOException {
			this.probe.loads.incrementAndGet();
			this.probe.duringLoad.accept(id);
			if (this.probe.failure != null) {
				throw this.probe.failure;
			}
			return 42;
		}

		@Collapsed(name = "catalog-recursive", ttl = "0")
		public String recursive(Long id) {
			return "outer " + this.self.getObject().recursive(id);
		}

		@Collapsed(name = "catalog-impatient", ttl = "0", waitTimeout = "300ms")
		public String impatient(Long id) {
			this.probe.loads.incrementAndGet();
			this.probe.duringLoad.accept(id);
			return "product " + id;
		}

	}

}
