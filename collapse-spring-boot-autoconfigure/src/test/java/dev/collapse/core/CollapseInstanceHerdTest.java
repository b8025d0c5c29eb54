package dev.collapse.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Invariants 1 and 3 in the core: one load per key at a time, its outcome reaches every caller. */
class CollapseInstanceHerdTest {

	private final ManualTicker ticker = new ManualTicker();

	private final CollapseRegistry registry = Registries.registry(this.ticker);

	@AfterEach
	void close() {
		this.registry.close();
	}

	@Test
	void thousandCallersOnOneKeyShareOneLoadAndItsValue() throws Throwable {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch loadMayFinish = new CountDownLatch(1);
		Object value = new Object();
		List<Future<Object>> callers = new ArrayList<>();
		try (Herd herd = new Herd(1_000)) {
			for (int i = 0; i < 1_000; i++) {
				callers.add(herd.add(() -> instance.call("k", () -> {
					loads.incrementAndGet();
					Herd.hold(loadMayFinish);
					return value;
				})));
			}
			herd.release();
			Herd.awaitFollowers(instance, "k", 999);
			loadMayFinish.countDown();
			for (Future<Object> caller : callers) {
				assertThat(Herd.result(caller)).isSameAs(value);
			}
		}
		assertThat(loads).hasValue(1);
		assertThat(instance.inflight()).isZero();
	}

	@Test
	void hundredKeysOfFiftyCallersMakeHundredLoads() throws Throwable {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		int keys = 100;
		int perKey = 50;
		AtomicInteger[] loads = new AtomicInteger[keys];
		List<List<Future<Object>>> callers = new ArrayList<>();
		// 5,000 callers on 1,000 threads: queued key by key, so that the threads always hold
		// whole groups but the last, and a leader that waits for its 49 followers never starves
		try (Herd herd = new Herd(1_000)) {
			for (int k = 0; k < keys; k++) {
				Integer key = k;
				loads[k] = new AtomicInteger();
				AtomicInteger keyLoads = loads[k];
				List<Future<Object>> group = new ArrayList<>();
				for (int c = 0; c < perKey; c++) {
					group.add(herd.add(() -> instance.call(key, () -> {
						keyLoads.incrementAndGet();
						Herd.awaitFollowers(instance, key, perKey - 1);
						return "v" + key;
					})));
				}
				callers.add(group);
			}
			herd.release();
			for (int k = 0; k < keys; k++) {
				for (Future<Object> caller : callers.get(k)) {
					assertThat(Herd.result(caller)).isEqualTo("v" + k);
				}
			}
		}
		for (int k = 0; k < keys; k++) {
			assertThat(loads[k]).as("loads of key %d", k).hasValue(1);
		}
		assertThat(instance.inflight()).isZero();
	}

	@Test
	void leaderRunsTheLoadOnItsOwnThreadWithItsThreadLocals() throws Throwable {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		ThreadLocal<String> context = new ThreadLocal<>();
		AtomicReference<Thread> loadingThread = new AtomicReference<>();
		AtomicReference<String> seenInLoad = new AtomicReference<>();
		context.set("caller's context");
		Object value = instance.call("k", () -> {
			loadingThread.set(Thread.currentThread());
			seenInLoad.set(context.get());
			return "v";
		});
		context.remove();
		assertThat(value).isEqualTo("v");
		assertThat(loadingThread.get()).isSameAs(Thread.currentThread());
		assertThat(seenInLoad.get()).isEqualTo("caller's context");
	}

	@Test
	void everyFollowerGetsTheSameExceptionAndTheFailureIsNotCached() throws Throwable {
		CollapseInstance instance = this.registry.register("products",
				Registries.caching(Duration.ofMinutes(5), Jitter.NONE, true));
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch loadMayFinish = new CountDownLatch(1);
		IllegalStateException failure = new IllegalStateException("upstream down");
		List<Future<Object>> callers = new ArrayList<>();
		try (Herd herd = new Herd(50)) {
			for (int i = 0; i < 50; i++) {
				callers.add(herd.add(() -> instance.call("k", () -> {
					loads.incrementAndGet();
					Herd.hold(loadMayFinish);
					throw failure;
				})));
			}
			herd.release();
			Herd.awaitFollowers(instance, "k", 49);
			loadMayFinish.countDown();
			for (Future<Object> caller : callers) {
				assertThatThrownBy(() -> Herd.result(caller)).isSameAs(failure);
			}
		}
		assertThat(loads).hasValue(1);
		assertThat(instance.storedEntries()).isZero();
		assertThat(instance.call("k", () -> {
			loads.incrementAndGet();
			return "recovered";
		})).isEqualTo("recovered");
		assertThat(loads).hasValue(2);
		assertThat(instance.call("k", () -> "never loaded")).as("the recovery is cached").isEqualTo("recovered");
	}

	@Test
	void checkedExceptionReachesTheCallerAsThrown() {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		java.io.IOException failure = new java.io.IOException("disk");
		assertThatThrownBy(() -> instance.call("k", () -> {
			throw failure;
		})).isSameAs(failure);
	}

	@Test
	void asyncLoadThatThrowsAtOnceFailsItsCallerAndLeavesNoFlight() {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		IllegalStateException failure = new IllegalStateException("no connection");
		CompletableFuture<Object> caller = instance.callAsync("k", () -> {
			throw failure;
		});
		assertThat(caller).failsWithin(Herd.PATIENCE)
			.withThrowableOfType(ExecutionException.class)
			.withCause(failure);
		assertThat(instance.inflight()).isZero();
		assertThat(instance.callAsync("k", () -> CompletableFuture.completedFuture("v"))).succeedsWithin(Herd.PATIENCE)
			.isEqualTo("v");
	}

	@Test
	void hundredThousandDistinctKeysLeaveNoFlightBehind() throws Throwable {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		AtomicInteger loads = new AtomicInteger();
		List<Future<Object>> workers = new ArrayList<>();
		try (Herd herd = new Herd(4)) {
			for (int w = 0; w < 4; w++) {
				int worker = w;
				workers.add(herd.add(() -> {
					for (int i = worker; i < 100_000; i += 4) {
						int key = i;
						instance.call(key, () -> {
							loads.incrementAndGet();
							return key;
						});
					}
					return null;
				}));
			}
			herd.release();
			for (Future<Object> worker : workers) {
				Herd.result(worker);
			}
		}
		assertThat(loads).hasValue(100_000);
		assertThat(instance.inflight()).isZero();
		assertThat(instance.storedEntries()).as("ttl 0 stores nothing").isZero();
	}

	@Test
	void failedLoadsLeaveNoFlightBehindEither() {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		for (int i = 0; i < 1_000; i++) {
			int key = i;
			assertThatThrownBy(() -> instance.call(key, () -> {
				throw new IllegalStateException("fails " + key);
			})).hasMessage("fails " + key);
		}
		assertThat(instance.inflight()).isZero();
	}

	@Test
	void twoInstanceNamesNeverShareAnEntry() throws Throwable {
		CollapseSettings settings = Registries.caching(Duration.ofMinutes(5), Jitter.NONE, true);
		CollapseInstance products = this.registry.register("products", settings);
		CollapseInstance prices = this.registry.register("prices", settings);
		assertThat(products.call("k", () -> "product")).isEqualTo("product");
		assertThat(prices.call("k", () -> "price")).isEqualTo("price");
		assertThat(products.call("k", () -> "reloaded")).isEqualTo("product");
		assertThat(prices.call("k", () -> "reloaded")).isEqualTo("price");
		products.evictAll();
		assertThat(prices.call("k", () -> "reloaded")).as("evicting one instance leaves the other").isEqualTo("price");
	}

	@Test
	void twoInstanceNamesNeverShareAFlight() throws Throwable {
		CollapseInstance products = this.registry.register("products", Registries.inFlightOnly());
		CollapseInstance prices = this.registry.register("prices", Registries.inFlightOnly());
		CountDownLatch loadMayFinish = new CountDownLatch(1);
		try (Herd herd = new Herd(1)) {
			Future<Object> product = herd.add(() -> products.call("k", () -> {
				Herd.hold(loadMayFinish);
				return "product";
			}));
			herd.release();
			Herd.awaitFollowers(products, "k", 0);
			// the same key in another instance loads at once instead of joining the held load
			assertThat(prices.call("k", () -> "price")).isEqualTo("price");
			loadMayFinish.countDown();
			assertThat(Herd.result(product)).isEqualTo("product");
		}
	}

	@Test
	void ttlZeroStoresNothing() throws Throwable {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		AtomicInteger loads = new AtomicInteger();
		instance.call("k", loads::incrementAndGet);
		instance.call("k", loads::incrementAndGet);
		assertThat(loads).hasValue(2);
		assertThat(instance.storedEntries()).isZero();
	}

	@Test
	void nullResultIsCachedWhenCacheNullsIsOn() throws Throwable {
		CollapseInstance instance = this.registry.register("nulls-cached",
				Registries.caching(Duration.ofMinutes(5), Jitter.NONE, true));
		AtomicInteger loads = new AtomicInteger();
		Loader nothing = () -> {
			loads.incrementAndGet();
			return null;
		};
		assertThat(instance.call("k", nothing)).isNull();
		assertThat(instance.call("k", nothing)).isNull();
		assertThat(loads).hasValue(1);
	}

	@Test
	void nullResultIsLoadedAgainWhenCacheNullsIsOff() throws Throwable {
		CollapseInstance instance = this.registry.register("nulls-not-cached",
				Registries.caching(Duration.ofMinutes(5), Jitter.NONE, false));
		AtomicInteger loads = new AtomicInteger();
		Loader nothing = () -> {
			loads.incrementAndGet();
			return null;
		};
		assertThat(instance.call("k", nothing)).isNull();
		assertThat(instance.call("k", nothing)).isNull();
		assertThat(loads).hasValue(2);
		assertThat(instance.storedEntries()).isZero();
	}

}
