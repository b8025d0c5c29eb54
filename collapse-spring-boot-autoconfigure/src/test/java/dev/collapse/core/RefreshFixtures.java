package dev.collapse.core;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

import com.github.benmanes.caffeine.cache.Ticker;

/**
 * Test doubles shared by the tests of issue 5 (early refresh, retries, stale-if-error): a clock
 * the test moves, a listener that counts every event, and an executor that runs refreshes only
 * when the test says so.
 */
final class RefreshFixtures {

	private RefreshFixtures() {
	}

	/** Settings with caching, no jitter and a wait timeout long enough never to fire by accident. */
	static CollapseSettings settings(Duration ttl, double beta, RetrySettings retry, Duration staleIfError) {
		return new CollapseSettings(ttl, Jitter.NONE, Duration.ofSeconds(30), true, beta, retry, staleIfError);
	}

	/** A registry over a store read through {@code ticker}; closed by the test. */
	static CollapseRegistry registry(Ticker ticker, CollapseListener listener, Executor refreshExecutor) {
		return new CollapseRegistry(new LocalStore(1_000, ticker), (name) -> {
			throw new AssertionError("instances of this test are registered explicitly");
		}, List.of(listener), refreshExecutor);
	}

	/** The value {@code instance.call} returns, or the throwable it throws. */
	static Object outcome(CollapseInstance instance, Object key, Loader loader) {
		try {
			return instance.call(key, loader);
		}
		catch (Throwable ex) {
			return ex;
		}
	}

	/** A clock that moves only when the test moves it. Starts far from zero, as nanoTime may. */
	static final class ManualTicker implements Ticker {

		private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

		@Override
		public long read() {
			return this.nanos.get();
		}

		void advance(Duration duration) {
			this.nanos.addAndGet(duration.toNanos());
		}

		void advanceNanos(long delta) {
			this.nanos.addAndGet(delta);
		}

	}

	/** Counts every event of the instances it is bound to. */
	static final class Counts implements CollapseListener, InstanceEvents {

		final AtomicLongArray calls = new AtomicLongArray(CallResult.values().length);

		final AtomicLongArray refreshes = new AtomicLongArray(RefreshTrigger.values().length);

		final AtomicInteger retries = new AtomicInteger();

		final AtomicInteger successfulLoads = new AtomicInteger();

		final AtomicInteger failedLoads = new AtomicInteger();

		final AtomicInteger waits = new AtomicInteger();

		/** Load time of the last load reported, in nanoseconds. */
		final AtomicLong lastLoadNanos = new AtomicLong(-1);

		@Override
		public InstanceEvents bind(InstanceView instance) {
			return this;
		}

		@Override
		public void onCall(CallResult result) {
			this.calls.incrementAndGet(result.ordinal());
		}

		@Override
		public void onLoad(boolean success, long nanos) {
			(success ? this.successfulLoads : this.failedLoads).incrementAndGet();
			this.lastLoadNanos.set(nanos);
		}

		@Override
		public void onRetry() {
			this.retries.incrementAndGet();
		}

		@Override
		public void onWait(long nanos) {
			this.waits.incrementAndGet();
		}

		@Override
		public void onRefresh(RefreshTrigger trigger) {
			this.refreshes.incrementAndGet(trigger.ordinal());
		}

		long calls(CallResult result) {
			return this.calls.get(result.ordinal());
		}

		long refreshes(RefreshTrigger trigger) {
			return this.refreshes.get(trigger.ordinal());
		}

		int loads() {
			return this.successfulLoads.get() + this.failedLoads.get();
		}

	}

	/** Keeps refreshes until the test runs or drops them. */
	static final class RecordingExecutor implements Executor {

		private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();

		private final AtomicInteger submitted = new AtomicInteger();

		@Override
		public void execute(Runnable task) {
			this.submitted.incrementAndGet();
			this.tasks.add(task);
		}

		/** Runs every task queued so far, and those they queue, on this thread, in order. */
		int runAll() {
			int ran = 0;
			for (Runnable task = this.tasks.poll(); task != null; task = this.tasks.poll()) {
				task.run();
				ran++;
			}
			return ran;
		}

		/** Removes and returns the oldest queued task. */
		Runnable take() {
			Runnable task = this.tasks.poll();
			if (task == null) {
				throw new AssertionError("no refresh was submitted");
			}
			return task;
		}

		int pending() {
			return this.tasks.size();
		}

		int submitted() {
			return this.submitted.get();
		}

	}

}
