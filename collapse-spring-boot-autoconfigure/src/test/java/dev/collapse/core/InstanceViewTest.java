package dev.collapse.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Listeners see an instance through {@link InstanceView}: what metrics and the endpoint read,
 * live, and nothing that could run a load or evict.
 */
class InstanceViewTest {

	private final List<InstanceView> bound = new CopyOnWriteArrayList<>();

	private final CollapseRegistry registry = new CollapseRegistry(new LocalStore(100, System::nanoTime),
			(name) -> Registries.caching(Duration.ofMinutes(5), Jitter.NONE, true), List.of((view) -> {
				this.bound.add(view);
				return InstanceEvents.NONE;
			}), null);

	private final ExecutorService callers = Executors.newSingleThreadExecutor();

	@AfterEach
	void close() {
		this.callers.shutdownNow();
		this.registry.close();
	}

	@Test
	void aListenerGetsAReadOnlyViewNotTheInstanceItself() {
		CollapseInstance instance = this.registry.instance("products");

		assertThat(this.bound).singleElement().isNotInstanceOf(CollapseInstance.class);
		InstanceView view = this.bound.get(0);
		assertThat(view.name()).isEqualTo("products");
		assertThat(view.settings()).isEqualTo(instance.settings());
		assertThat(view.valueType()).isNull();
		assertThat(view.distributed()).isFalse();
	}

	@Test
	void theViewShowsLoadsInFlightAndStoredEntriesAsTheyChange() throws Exception {
		CollapseInstance instance = this.registry.instance("products");
		InstanceView view = this.bound.get(0);
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch loadMayFinish = new CountDownLatch(1);
		assertThat(view.inflight()).isZero();
		assertThat(view.storedEntries()).isZero();

		Future<Object> call = this.callers.submit(() -> {
			try {
				return instance.call("k", () -> {
					loading.countDown();
					assertThat(loadMayFinish.await(10, TimeUnit.SECONDS)).isTrue();
					return "v";
				});
			}
			catch (Throwable ex) {
				throw new AssertionError(ex);
			}
		});
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		assertThat(view.inflight()).isEqualTo(1);

		loadMayFinish.countDown();
		assertThat(call.get(10, TimeUnit.SECONDS)).isEqualTo("v");
		assertThat(view.inflight()).isZero();
		assertThat(view.storedEntries()).isEqualTo(1);
	}

}
