package dev.collapse.core;

import java.lang.reflect.Type;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.core.spi.DistributedCoordinator;
import dev.collapse.core.spi.DistributedLayer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An eviction with the fleet: a flight that begins while the eviction is on its way to the fleet
 * may read the fleet's entry before the eviction reaches it. Once the eviction returned, no caller
 * joins that flight (docs/design.md, Evictions). Found by the chaos soak: a caller that began just
 * after {@code evictAll()} returned got a value loaded before the write it followed, as a follower
 * of a flight that had read the entry of the generation before. The fleet here is a fake whose
 * eviction and whose first read are each held on a latch, so the interleaving is forced.
 */
class EvictionDuringFleetReadTest {

	private final Fleet fleet = new Fleet();

	private final CollapseRegistry registry = new CollapseRegistry(new LocalStore(1000, new ManualTicker()),
			(name) -> Registries.inFlightOnly(), List.of(), null, this.fleet);

	private final CollapseInstance instance = this.registry.register("products",
			Registries.caching(Duration.ofMinutes(5), Jitter.NONE, true), String.class);

	@AfterEach
	void close() {
		this.fleet.evictionMayReachTheFleet.countDown();
		this.fleet.firstReadMayReturn.countDown();
		this.registry.close();
	}

	@Test
	void noCallerJoinsAFlightThatReadTheFleetBeforeEvictReachedIt() throws Throwable {
		assertNoCallerAfterTheEvictionGetsTheOldValue(() -> this.instance.evict("k"));
	}

	@Test
	void noCallerJoinsAFlightThatReadTheFleetBeforeEvictAllReachedIt() throws Throwable {
		assertNoCallerAfterTheEvictionGetsTheOldValue(this.instance::evictAll);
	}

	private void assertNoCallerAfterTheEvictionGetsTheOldValue(Runnable eviction) throws Throwable {
		try (Herd herd = new Herd(3)) {
			Future<?> evicting = herd.add(() -> {
				eviction.run();
				return null;
			});
			herd.release();
			// the eviction has detached this node's flights and is on its way to the fleet
			Herd.hold(this.fleet.evictionStarted);
			Future<Object> during = herd.add(() -> this.instance.call("k", () -> "new"));
			// a caller began meanwhile: its flight read the fleet's entry, not yet evicted
			Herd.hold(this.fleet.firstReadDone);
			this.fleet.evictionMayReachTheFleet.countDown();
			Herd.result(evicting);

			// the eviction returned: a caller now must not join the flight that read the old entry
			Future<Object> after = herd.add(() -> this.instance.call("k", () -> "new"));
			// it ends on its own, or waits on the flight that read the old entry (the bug)
			Awaitility.await("the caller after the eviction: done, or joined a flight").atMost(Herd.PATIENCE)
				.until(() -> after.isDone() || this.instance.followers("k") > 0);
			this.fleet.firstReadMayReturn.countDown();
			assertThat(Herd.result(after)).as("a caller that began after the eviction returned").isEqualTo("new");
			assertThat(Herd.result(during)).as("the caller that began during the eviction").isEqualTo("old");
		}
	}

	/**
	 * One instance's fleet store, one entry: "old" until an eviction reaches it. The eviction
	 * waits for {@link #evictionMayReachTheFleet}; the first read returns "old" once
	 * {@link #firstReadMayReturn} opens (its reply is late).
	 */
	static final class Fleet implements DistributedLayer, DistributedCoordinator {

		final CountDownLatch evictionStarted = new CountDownLatch(1);

		final CountDownLatch evictionMayReachTheFleet = new CountDownLatch(1);

		final CountDownLatch firstReadDone = new CountDownLatch(1);

		final CountDownLatch firstReadMayReturn = new CountDownLatch(1);

		private final AtomicInteger reads = new AtomicInteger();

		private volatile @Nullable Object stored = "old";

		@Override
		public DistributedCoordinator coordinator(String name, CollapseSettings settings, Type valueType) {
			return this;
		}

		@Override
		public boolean available() {
			return true;
		}

		@Override
		public boolean evict(String name, Object key) {
			return evict(key);
		}

		@Override
		public boolean evictAll(String name) {
			return evictAll();
		}

		@Override
		public CompletableFuture<Outcome> serveAsync(Object key, AsyncLoader load, long waitNanos) {
			return CompletableFuture.failedFuture(new UnsupportedOperationException("synchronous callers only here"));
		}

		@Override
		public Outcome serve(Object key, Loader load, long waitNanos) throws Throwable {
			Object entry = this.stored;
			if (this.reads.incrementAndGet() == 1) {
				this.firstReadDone.countDown();
				Herd.hold(this.firstReadMayReturn);
			}
			if (entry != null) {
				return new Outcome(entry, CallResult.HIT, 0, 0, false, "token");
			}
			Object value = load.load();
			this.stored = value;
			return new Outcome(value, CallResult.LEADER, 0, 0, false, "token");
		}

		@Override
		public @Nullable Outcome refresh(Object key, @Nullable String version, Loader load) {
			return null;
		}

		@Override
		public boolean evict(Object key) {
			reach();
			return true;
		}

		@Override
		public boolean evictAll() {
			reach();
			return true;
		}

		private void reach() {
			this.evictionStarted.countDown();
			Herd.hold(this.evictionMayReachTheFleet);
			this.stored = null;
		}

		@Override
		public void listen(Changes changes) {
		}

		@Override
		public Executor executor() {
			return Runnable::run;
		}

	}

}
