package dev.collapse.core;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression: a flight that began while {@code evict()} ran (after it detached the key's flight,
 * before it dropped the entry) read the entry being evicted, and a caller that came after
 * {@code evict()} returned joined that flight and got the evicted value. The interleaving is
 * forced: a key whose {@code hashCode} holds a named thread at a named step (the step is found on
 * the thread's own stack, so a rename of that step makes this test fail, never pass).
 */
class EvictionWindowTest {

	/** Traps by thread name and the method (Class.method) that computes the key's hash. */
	static final Map<String, CountDownLatch[]> traps = new ConcurrentHashMap<>();

	static CountDownLatch[] arm(String thread, String method) {
		CountDownLatch[] latches = { new CountDownLatch(1), new CountDownLatch(1) };
		traps.put(thread + "/" + method, latches);
		return latches;
	}

	static final class TrapKey {

		@Override
		public int hashCode() {
			String thread = Thread.currentThread().getName();
			StackWalker.getInstance().forEach((frame) -> {
				String name = frame.getClassName().substring(frame.getClassName().lastIndexOf('.') + 1) + "."
						+ frame.getMethodName();
				CountDownLatch[] latches = traps.remove(thread + "/" + name);
				if (latches != null) {
					latches[0].countDown();
					try {
						latches[1].await(20, TimeUnit.SECONDS);
					}
					catch (InterruptedException ex) {
						throw new IllegalStateException(ex);
					}
				}
			});
			return 42;
		}

		@Override
		public boolean equals(Object other) {
			return other == this;
		}

	}

	private final CollapseRegistry registry = Registries.registry(new ManualTicker());

	private final CollapseInstance instance = this.registry.register("products",
			Registries.caching(Duration.ofMinutes(5), Jitter.NONE, true));

	@AfterEach
	void close() {
		this.registry.close();
	}

	static Thread named(String name, Runnable body) {
		Thread thread = new Thread(body, name);
		thread.start();
		return thread;
	}

	@Test
	void aFlightThatBeganDuringEvictIsNotJoinedByACallerAfterIt() throws Throwable {
		TrapKey key = new TrapKey();
		CountDownLatch oldMayEnd = new CountDownLatch(1);
		CountDownLatch oldStarted = new CountDownLatch(1);
		Object[] results = new Object[3];
		// F1: a load that began before the eviction
		Thread l = named("L", () -> {
			try {
				results[0] = this.instance.call(key, () -> {
					oldStarted.countDown();
					Herd.hold(oldMayEnd);
					return "old";
				});
			}
			catch (Throwable ex) {
				results[0] = ex;
			}
		});
		Herd.hold(oldStarted);
		// C2 misses, then pauses before it joins
		CountDownLatch[] c2BeforeJoin = arm("C2", "CollapseInstance.failOnRecursion");
		CountDownLatch[] c2BeforeComplete = arm("C2", "LocalSingleFlight.complete");
		Thread c2 = named("C2", () -> {
			try {
				results[1] = this.instance.call(key, () -> "c2-loaded");
			}
			catch (Throwable ex) {
				results[1] = ex;
			}
		});
		Herd.hold(c2BeforeJoin[0]);
		oldMayEnd.countDown();
		l.join();
		assertThat(results[0]).isEqualTo("old");
		// evict(): forget, then pause before it drops the entry
		CountDownLatch[] evictBeforeDrop = arm("E", "LocalStore.evict");
		Thread e = named("E", () -> this.instance.evict(key));
		Herd.hold(evictBeforeDrop[0]);
		c2BeforeJoin[1].countDown();
		Herd.hold(c2BeforeComplete[0]);
		evictBeforeDrop[1].countDown();
		e.join();
		// evict() has returned: a caller now must not get "old"
		Thread c3 = named("C3", () -> {
			try {
				results[2] = this.instance.call(key, () -> "new");
			}
			catch (Throwable ex) {
				results[2] = ex;
			}
		});
		// with the bug C3 joins C2's flight; without it, C3 leads a flight of its own and ends
		Awaitility.await().atMost(Herd.PATIENCE).until(() -> !c3.isAlive() || this.instance.followers(key) >= 1);
		c2BeforeComplete[1].countDown();
		c2.join();
		c3.join();
		assertThat(results[2]).as("a caller that came after evict() returned").isEqualTo("new");
	}

}
