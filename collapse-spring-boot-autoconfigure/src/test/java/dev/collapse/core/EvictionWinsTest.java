package dev.collapse.core;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An eviction wins over a load in flight ("write the row, then evict the key"): once
 * {@code evict()} returns, no caller joins a load that began before it, that load's result is
 * stored nowhere, and the callers that had joined it still get its value. The first load of
 * each test is held on a latch while the eviction happens, so the interleaving is forced.
 */
class EvictionWinsTest {

	private final CollapseRegistry registry = Registries.registry(new ManualTicker());

	private final CollapseInstance instance = this.registry.register("products",
			Registries.caching(Duration.ofMinutes(5), Jitter.NONE, true));

	/** Loads run so far; the first returns "old" once released, every later one "new" at once. */
	private final AtomicInteger loads = new AtomicInteger();

	private final CountDownLatch oldLoadMayFinish = new CountDownLatch(1);

	private final CountDownLatch oldLoadStarted = new CountDownLatch(1);

	@AfterEach
	void close() {
		this.oldLoadMayFinish.countDown();
		this.registry.close();
	}

	private Object load() {
		if (this.loads.incrementAndGet() == 1) {
			this.oldLoadStarted.countDown();
			Herd.hold(this.oldLoadMayFinish);
			return "old";
		}
		return "new";
	}

	private CompletableFuture<@Nullable Object> loadAsync() {
		if (this.loads.incrementAndGet() == 1) {
			return CompletableFuture.supplyAsync(() -> {
				Herd.hold(this.oldLoadMayFinish);
				return "old";
			});
		}
		return CompletableFuture.completedFuture("new");
	}

	@Test
	void aLoadInFlightDuringEvictIsNeitherJoinedNorStored() throws Throwable {
		try (Herd herd = new Herd(3)) {
			Future<Object> leader = herd.add(() -> this.instance.call("k", this::load));
			herd.release();
			Herd.hold(this.oldLoadStarted);
			Future<Object> joinedBefore = herd.add(() -> this.instance.call("k", this::load));
			Herd.awaitFollowers(this.instance, "k", 1);

			this.instance.evict("k");

			// a caller after evict() returned starts its own load: it does not get the old value
			assertThat(this.instance.call("k", this::load)).isEqualTo("new");
			assertThat(this.loads).hasValue(2);
			this.oldLoadMayFinish.countDown();
			assertThat(Herd.result(leader)).isEqualTo("old");
			assertThat(Herd.result(joinedBefore)).as("a caller that joined before the eviction").isEqualTo("old");
		}
		// the old load ended after the new one stored its value: it stored nothing over it
		assertThat(this.instance.call("k", this::load)).isEqualTo("new");
		assertThat(this.loads).hasValue(2);
	}

	@Test
	void anAsyncLoadInFlightDuringEvictIsNeitherJoinedNorStored() throws Throwable {
		CompletableFuture<@Nullable Object> leader = this.instance.callAsync("k", this::loadAsync);
		CompletableFuture<@Nullable Object> joinedBefore = this.instance.callAsync("k", this::loadAsync);
		assertThat(this.instance.followers("k")).isEqualTo(1);

		this.instance.evict("k");

		assertThat(this.instance.callAsync("k", this::loadAsync)).succeedsWithin(Herd.PATIENCE).isEqualTo("new");
		this.oldLoadMayFinish.countDown();
		assertThat(leader).succeedsWithin(Herd.PATIENCE).isEqualTo("old");
		assertThat(joinedBefore).succeedsWithin(Herd.PATIENCE).isEqualTo("old");
		assertThat(this.instance.callAsync("k", this::loadAsync)).succeedsWithin(Herd.PATIENCE).isEqualTo("new");
		assertThat(this.loads).hasValue(2);
	}

	@Test
	void evictAllDetachesEveryLoadInFlightAndStoresNoneOfThem() throws Throwable {
		try (Herd herd = new Herd(2)) {
			Future<Object> leader = herd.add(() -> this.instance.call("k", this::load));
			herd.release();
			Herd.hold(this.oldLoadStarted);
			this.instance.call("other", () -> "stored before");

			this.instance.evictAll();

			assertThat(this.instance.storedEntries()).isZero();
			assertThat(this.instance.call("k", this::load)).isEqualTo("new");
			this.oldLoadMayFinish.countDown();
			assertThat(Herd.result(leader)).isEqualTo("old");
		}
		assertThat(this.instance.call("k", this::load)).isEqualTo("new");
		assertThat(this.instance.call("other", () -> "loaded again")).isEqualTo("loaded again");
	}

	@Test
	void aLoadThatEndsBeforeEvictIsDroppedByIt() throws Throwable {
		assertThat(this.instance.call("k", () -> "before")).isEqualTo("before");
		assertThat(this.instance.evict("k")).as("an entry was there").isTrue();
		assertThat(this.instance.call("k", () -> "after")).isEqualTo("after");
	}

}
