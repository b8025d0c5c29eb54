package dev.collapse.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

/** The programmatic {@link Collapser}: collapse a supplier by (name, key), evict a key or a name. */
class CollapserTest {

	private final CollapseRegistry registry = new CollapseRegistry(new LocalStore(10_000, new ManualTicker()),
			(name) -> Registries.caching(Duration.ofMinutes(5), Jitter.NONE, true), List.of(), null);

	private final Collapser collapser = this.registry;

	@AfterEach
	void close() {
		this.registry.close();
	}

	@Test
	void concurrentCallersOfOneKeyShareOneLoad() throws Throwable {
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch loadMayFinish = new CountDownLatch(1);
		List<Future<String>> callers = new ArrayList<>();
		try (Herd herd = new Herd(200)) {
			for (int i = 0; i < 200; i++) {
				callers.add(herd.add(() -> this.collapser.collapse("rates", "EUR", () -> {
					loads.incrementAndGet();
					Herd.hold(loadMayFinish);
					return "1.08";
				})));
			}
			herd.release();
			Herd.awaitFollowers(this.registry.instance("rates"), "EUR", 199);
			loadMayFinish.countDown();
			for (Future<String> caller : callers) {
				assertThat(Herd.result(caller)).isEqualTo("1.08");
			}
		}
		assertThat(loads).hasValue(1);
		assertThat(this.registry.instance("rates").settings().ttl()).as("settings of a name used only in code")
			.isEqualTo(Duration.ofMinutes(5));
	}

	@Test
	void evictDropsOneKeyAndEvictAllDropsTheName() {
		AtomicInteger loads = new AtomicInteger();
		for (String key : List.of("EUR", "USD")) {
			this.collapser.collapse("rates", key, loads::incrementAndGet);
			this.collapser.collapse("fees", key, loads::incrementAndGet);
		}
		assertThat(loads).hasValue(4);
		this.collapser.evict("rates", "EUR");
		this.collapser.collapse("rates", "EUR", loads::incrementAndGet);
		this.collapser.collapse("rates", "USD", loads::incrementAndGet);
		assertThat(loads).as("only (rates, EUR) loads again").hasValue(5);
		this.collapser.evictAll("rates");
		this.collapser.collapse("rates", "EUR", loads::incrementAndGet);
		this.collapser.collapse("rates", "USD", loads::incrementAndGet);
		this.collapser.collapse("fees", "EUR", loads::incrementAndGet);
		this.collapser.collapse("fees", "USD", loads::incrementAndGet);
		assertThat(loads).as("every key of rates loads again, fees untouched").hasValue(7);
	}

	@Test
	void evictingANameNeverUsedIsHarmless() {
		this.collapser.evict("unknown", "k");
		this.collapser.evictAll("unknown");
		assertThat(this.registry.find("unknown")).isEmpty();
	}

	@Test
	void asyncCallersOfOneKeyShareOneLoad() {
		AtomicInteger loads = new AtomicInteger();
		CompletableFuture<String> load = new CompletableFuture<>();
		List<CompletableFuture<String>> callers = new ArrayList<>();
		for (int i = 0; i < 20; i++) {
			callers.add(this.collapser.collapseAsync("rates", "EUR", () -> {
				loads.incrementAndGet();
				return load;
			}));
		}
		load.complete("1.08");
		for (CompletableFuture<String> caller : callers) {
			assertThat(caller).succeedsWithin(Herd.PATIENCE).isEqualTo("1.08");
		}
		assertThat(loads).hasValue(1);
	}

	// --- array keys: an array compares by identity, a key by content

	/** Each supplier builds a new array on every call: equal content, never the same object. */
	static Stream<Arguments> arrayKeys() {
		return Stream.of(
				Arguments.of(Named.of("byte[]", (Supplier<Object>) () -> new byte[] { 1, 2, 3 }),
						(Supplier<Object>) () -> new byte[] { 3, 2, 1 }),
				Arguments.of(Named.of("int[]", (Supplier<Object>) () -> new int[] { 1, 2, 3 }),
						(Supplier<Object>) () -> new int[] { 3, 2, 1 }));
	}

	@ParameterizedTest
	@MethodSource("arrayKeys")
	void concurrentCallersWithEqualArraysShareOneLoad(Supplier<Object> key, Supplier<Object> other) throws Throwable {
		CollapseInstance instance = this.registry.instance("codes");
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch loadMayFinish = new CountDownLatch(1);
		List<Future<String>> callers = new ArrayList<>();
		try (Herd herd = new Herd(2)) {
			for (int i = 0; i < 2; i++) {
				Object own = key.get();
				callers.add(herd.add(() -> this.collapser.collapse("codes", own, () -> {
					loads.incrementAndGet();
					Herd.hold(loadMayFinish);
					return "loaded";
				})));
			}
			herd.release();
			// either one caller follows the other's load, or (keys by identity) each runs a load of its own
			Awaitility.await("a follower or a second load")
				.atMost(Herd.PATIENCE)
				.pollInterval(Duration.ofMillis(2))
				.until(() -> loads.get() > 1 || instance.followers(Keys.normalize(key.get())) >= 1);
			loadMayFinish.countDown();
			for (Future<String> caller : callers) {
				assertThat(Herd.result(caller)).isEqualTo("loaded");
			}
		}
		assertThat(loads).hasValue(1);
	}

	@ParameterizedTest
	@MethodSource("arrayKeys")
	void asyncCallersWithEqualArraysShareOneLoad(Supplier<Object> key, Supplier<Object> other) {
		AtomicInteger loads = new AtomicInteger();
		CompletableFuture<String> load = new CompletableFuture<>();
		Supplier<CompletableFuture<String>> loader = () -> {
			loads.incrementAndGet();
			return load;
		};
		// the first call leads and has started its load when it returns: the second finds it in flight
		CompletableFuture<String> first = this.collapser.collapseAsync("codes", key.get(), loader);
		CompletableFuture<String> second = this.collapser.collapseAsync("codes", key.get(), loader);
		load.complete("loaded");
		assertThat(first).succeedsWithin(Herd.PATIENCE).isEqualTo("loaded");
		assertThat(second).succeedsWithin(Herd.PATIENCE).isEqualTo("loaded");
		assertThat(loads).hasValue(1);
	}

	@ParameterizedTest
	@MethodSource("arrayKeys")
	void arrayKeysAreStoredAndEvictedByContent(Supplier<Object> key, Supplier<Object> other) {
		AtomicInteger loads = new AtomicInteger();
		assertThat(this.collapser.collapse("codes", key.get(), loads::incrementAndGet)).isEqualTo(1);
		assertThat(this.collapser.collapse("codes", key.get(), loads::incrementAndGet))
			.as("an equal array finds the stored result").isEqualTo(1);
		assertThat(this.collapser.collapse("codes", key.get(), Integer.class, loads::incrementAndGet))
			.as("so does the overload with a type").isEqualTo(1);
		assertThat(this.collapser.collapse("codes", other.get(), loads::incrementAndGet))
			.as("other content is another key").isEqualTo(2);
		this.collapser.evict("codes", key.get());
		assertThat(this.collapser.collapse("codes", key.get(), loads::incrementAndGet))
			.as("evicted through an equal array, so loaded again").isEqualTo(3);
		assertThat(this.collapser.collapse("codes", other.get(), loads::incrementAndGet))
			.as("the other key stays").isEqualTo(2);
	}

	@Test
	void nullNameOrKeyIsRefusedWithAMessageThatSaysWhich() {
		AtomicInteger loads = new AtomicInteger();
		assertThatNullPointerException().isThrownBy(() -> this.collapser.collapse("rates", null, loads::incrementAndGet))
			.withMessageContaining("key")
			.withMessageContaining("'rates'");
		assertThatNullPointerException().isThrownBy(() -> this.collapser.collapse(null, "EUR", loads::incrementAndGet))
			.withMessageContaining("name");
		assertThatNullPointerException()
			.isThrownBy(() -> this.collapser.collapseAsync("rates", null, () -> CompletableFuture.completedFuture(1)))
			.withMessageContaining("key");
		assertThat(loads).hasValue(0);
	}

	@Test
	void passThroughCollapserRunsEveryLoader() {
		Collapser passThrough = new PassThroughCollapser();
		AtomicInteger loads = new AtomicInteger();
		passThrough.collapse("rates", "EUR", loads::incrementAndGet);
		passThrough.collapse("rates", "EUR", loads::incrementAndGet);
		assertThat(passThrough.collapseAsync("rates", "EUR", () -> CompletableFuture.completedFuture(loads.incrementAndGet())))
			.succeedsWithin(Herd.PATIENCE);
		assertThat(loads).hasValue(3);
	}

}
