package dev.collapse.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.core.RefreshFixtures.Counts;
import dev.collapse.core.RefreshFixtures.ManualTicker;
import dev.collapse.core.RefreshFixtures.RecordingExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Early refresh (issue 5): a hit that rolls X-Fetch's dice gets the current value at once, and
 * the refresh runs on the refresh executor through the key's single-flight.
 */
class EarlyRefreshTest {

	private static final Duration TTL = Duration.ofSeconds(2);

	private static final long DELTA = Duration.ofMillis(200).toNanos();

	/**
	 * With this β a read rolls a refresh with probability {@code exp(−g/(βΔ))} ≥ 1 − 10⁻⁷ for every
	 * gap of this test's entries: every read rolls.
	 */
	private static final double ALWAYS = 1e9;

	private final ManualTicker ticker = new ManualTicker();

	private final Counts counts = new Counts();

	private CollapseRegistry registry;

	@AfterEach
	void close() {
		if (this.registry != null) {
			this.registry.close();
		}
	}

	private CollapseInstance instance(double beta, Executor refreshes) {
		this.registry = RefreshFixtures.registry(this.ticker, this.counts, refreshes);
		return this.registry.register("early", RefreshFixtures.settings(TTL, beta, RetrySettings.NONE, Duration.ZERO));
	}

	/** A load that takes Δ of ticker time and returns 1, 2, 3... */
	private Loader slowLoader(AtomicInteger version) {
		return () -> {
			this.ticker.advanceNanos(DELTA);
			return version.incrementAndGet();
		};
	}

	/**
	 * Steady reads on one key, one every Δ/100, across 100 ttls; refreshes run between reads.
	 * After the first load no read misses: each entry is refreshed before it expires. The
	 * chance that X-Fetch lets an entry expire at this read rate is about
	 * exp(−100·Σ e^(−k/100)) ≈ e^-100 per expiry (no roll in 100·ln-many reads), far below anything
	 * observable.
	 */
	@Test
	void hotKeyUnderSteadyReadsIsRefreshedBeforeEveryExpiry() throws Throwable {
		RecordingExecutor refreshes = new RecordingExecutor();
		CollapseInstance instance = instance(1.0, refreshes);
		AtomicInteger version = new AtomicInteger();
		Loader loader = slowLoader(version);
		assertThat(instance.call("hot", loader)).isEqualTo(1); // warm-up: the only caller that loads
		long step = DELTA / 100;
		long reads = 100 * TTL.toNanos() / step;
		int last = 1;
		for (long i = 0; i < reads; i++) {
			this.ticker.advanceNanos(step);
			int value = (Integer) instance.call("hot", loader);
			assertThat(value).as("read %d", i).isGreaterThanOrEqualTo(last);
			last = value;
			refreshes.runAll();
		}
		assertThat(this.counts.calls(CallResult.HIT)).as("every read after the warm-up is a hit").isEqualTo(reads);
		assertThat(this.counts.calls(CallResult.LEADER)).isEqualTo(1);
		assertThat(this.counts.calls(CallResult.FOLLOWER)).isZero();
		assertThat(this.counts.waits.get()).isZero();
		assertThat(this.counts.refreshes(RefreshTrigger.EXPIRED)).as("expired misses").isZero();
		long early = this.counts.refreshes(RefreshTrigger.EARLY);
		// 100 ttls of reads need at least 100 entries; refreshing more than about twice per ttl
		// would mean refreshing far too early (the typical gap is ln(100)·βΔ ≈ 0.9 s of a 2 s ttl)
		assertThat(early).isBetween(100L, 400L);
		assertThat(this.counts.loads()).isEqualTo(early + 1);
		assertThat(last).isEqualTo(early + 1);
		assertThat(this.counts.lastLoadNanos.get()).isEqualTo(DELTA);
	}

	/**
	 * As above, but asynchronous and with reads while the refresh is in flight: a refresh's load
	 * completes Δ of ticker time after it started, and every read in between must be served from
	 * the store at once (its future already complete). A read that had to wait for a load would
	 * get an incomplete future.
	 */
	@Test
	void hotKeyReadWhileItsRefreshIsInFlightNeverWaits() {
		CollapseInstance instance = instance(1.0, Runnable::run);
		Queue<PendingLoad> loads = new ArrayDeque<>();
		AsyncLoader loader = () -> {
			CompletableFuture<Object> future = new CompletableFuture<>();
			loads.add(new PendingLoad(future, this.ticker.read() + DELTA));
			return future;
		};
		AtomicInteger version = new AtomicInteger();
		CompletableFuture<Object> first = instance.callAsync("hot", loader);
		this.ticker.advanceNanos(DELTA);
		completeDue(loads, version);
		assertThat(first).isCompletedWithValue(1);
		long step = DELTA / 100;
		long reads = 100 * TTL.toNanos() / step;
		int inFlightReads = 0;
		for (long i = 0; i < reads; i++) {
			this.ticker.advanceNanos(step);
			completeDue(loads, version);
			if (!loads.isEmpty()) {
				inFlightReads++;
			}
			CompletableFuture<Object> read = instance.callAsync("hot", loader);
			assertThat(read).as("read %d", i).isDone();
		}
		assertThat(inFlightReads).as("reads made while a refresh was loading").isGreaterThan(1000);
		assertThat(this.counts.calls(CallResult.HIT)).isEqualTo(reads);
		assertThat(this.counts.calls(CallResult.FOLLOWER)).isZero();
		assertThat(this.counts.refreshes(RefreshTrigger.EXPIRED)).isZero();
		assertThat(this.counts.refreshes(RefreshTrigger.EARLY)).isGreaterThanOrEqualTo(100);
		assertThat(this.counts.lastLoadNanos.get()).isEqualTo(DELTA);
	}

	/**
	 * Eight readers hammer one key whose entries live 20 µs of ticker time, each moving the
	 * clock on by up to 2 µs: entries keep expiring (misses) while most reads roll an early
	 * refresh on the real default pool. Whatever the interleaving, no two loads of the key ever
	 * run at once.
	 */
	@Test
	void refreshesAndMissesNeverLoadAKeyAtTheSameTime() throws Exception {
		try (RefreshExecutor pool = RefreshExecutor.bounded(2, 1_000)) {
			this.registry = RefreshFixtures.registry(this.ticker, this.counts, pool.executor());
			CollapseInstance instance = this.registry.register("early", RefreshFixtures
				.settings(Duration.ofNanos(20_000), ALWAYS, RetrySettings.NONE, Duration.ZERO));
			AtomicInteger running = new AtomicInteger();
			AtomicInteger mostAtOnce = new AtomicInteger();
			AtomicInteger version = new AtomicInteger();
			Loader loader = () -> {
				mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
				try {
					Thread.yield();
					this.ticker.advanceNanos(1_000);
					return version.incrementAndGet();
				}
				finally {
					running.decrementAndGet();
				}
			};
			int readers = 8;
			CountDownLatch start = new CountDownLatch(1);
			ExecutorService threads = Executors.newFixedThreadPool(readers);
			try {
				List<Future<Object>> done = new ArrayList<>();
				for (int r = 0; r < readers; r++) {
					done.add(threads.submit(() -> {
						start.await();
						ThreadLocalRandom random = ThreadLocalRandom.current();
						for (int i = 0; i < 20_000; i++) {
							this.ticker.advanceNanos(random.nextLong(2_000));
							Object outcome = RefreshFixtures.outcome(instance, "hot", loader);
							if (!(outcome instanceof Integer)) {
								throw new AssertionError("read " + i + " got " + outcome);
							}
						}
						return null;
					}));
				}
				start.countDown();
				for (Future<Object> reader : done) {
					reader.get(60, TimeUnit.SECONDS);
				}
			}
			finally {
				threads.shutdownNow();
			}
			await().atMost(Duration.ofSeconds(10)).until(() -> instance.inflight() == 0);
			assertThat(mostAtOnce.get()).as("loads of the key running at once").isEqualTo(1);
			assertThat(this.counts.refreshes(RefreshTrigger.EARLY)).as("early refreshes").isPositive();
			assertThat(this.counts.refreshes(RefreshTrigger.EXPIRED)).as("reloads after expiry").isPositive();
		}
	}

	private void completeDue(Queue<PendingLoad> loads, AtomicInteger version) {
		while (!loads.isEmpty() && loads.peek().due() <= this.ticker.read()) {
			loads.poll().future().complete(version.incrementAndGet());
		}
	}

	private record PendingLoad(CompletableFuture<Object> future, long due) {
	}

	@Test
	void readThatRollsARefreshGetsTheCurrentValueAndIsCountedOnceAsAHit() throws Throwable {
		CollapseInstance instance = instance(ALWAYS, Runnable::run);
		AtomicInteger version = new AtomicInteger();
		instance.call("k", slowLoader(version));
		this.ticker.advance(Duration.ofSeconds(1));
		Loader slower = () -> {
			this.ticker.advanceNanos(3 * DELTA);
			return version.incrementAndGet();
		};
		// the refresh runs inline here, yet this read returns the entry it found
		assertThat(instance.call("k", slower)).isEqualTo(1);
		assertThat(this.counts.refreshes(RefreshTrigger.EARLY)).isEqualTo(1);
		assertThat(this.counts.calls(CallResult.HIT)).isEqualTo(1);
		assertThat(this.counts.calls(CallResult.LEADER)).isEqualTo(1);
		assertThat(this.counts.lastLoadNanos.get()).as("the refresh measured its own Δ").isEqualTo(3 * DELTA);
		assertThat(instance.call("k", () -> -1)).as("the refreshed entry is served").isEqualTo(2);
	}

	/**
	 * Regression: reads that rolled before the first queued refresh ran each queued one; every
	 * one that ran after the first had stored its result loaded the key again.
	 */
	@Test
	void refreshesQueuedForOneEntryReloadItOnce() throws Throwable {
		RecordingExecutor refreshes = new RecordingExecutor();
		CollapseInstance instance = instance(ALWAYS, refreshes);
		AtomicInteger version = new AtomicInteger();
		instance.call("k", slowLoader(version));
		AtomicInteger refreshLoads = new AtomicInteger();
		CountDownLatch release = new CountDownLatch(1);
		Loader blocking = () -> {
			refreshLoads.incrementAndGet();
			release.await();
			return version.incrementAndGet();
		};
		for (int i = 0; i < 3; i++) {
			assertThat(instance.call("k", blocking)).isEqualTo(1);
		}
		assertThat(refreshes.pending()).isEqualTo(3);
		Thread first = new Thread(refreshes.take());
		first.start();
		await().atMost(Duration.ofSeconds(10)).until(() -> instance.inflight() == 1);

		// while the refresh loads, reads neither submit nor start another
		assertThat(instance.call("k", blocking)).isEqualTo(1);
		assertThat(refreshes.submitted()).isEqualTo(3);
		refreshes.take().run();
		assertThat(refreshLoads.get()).isEqualTo(1);

		release.countDown();
		first.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(first.isAlive()).isFalse();
		// the third was queued for the entry the first has replaced
		refreshes.take().run();
		assertThat(refreshLoads.get()).isEqualTo(1);
		assertThat(this.counts.refreshes(RefreshTrigger.EARLY)).isEqualTo(1);
		assertThat(instance.inflight()).isZero();
		this.ticker.advance(Duration.ofMillis(1));
		assertThat(instance.call("k", blocking)).isEqualTo(2);
	}

	@Test
	void noRefreshStartsWhileACallerLoadsTheKey() throws Throwable {
		RecordingExecutor refreshes = new RecordingExecutor();
		CollapseInstance instance = instance(ALWAYS, refreshes);
		AtomicInteger version = new AtomicInteger();
		instance.call("k", slowLoader(version));
		assertThat(instance.call("k", slowLoader(version))).isEqualTo(1); // rolls, queued
		instance.evict("k");
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch release = new CountDownLatch(1);
		AtomicReference<Object> leaderResult = new AtomicReference<>();
		Thread leader = new Thread(() -> {
			try {
				leaderResult.set(instance.call("k", () -> {
					loading.countDown();
					release.await();
					return version.incrementAndGet();
				}));
			}
			catch (Throwable ex) {
				leaderResult.set(ex);
			}
		});
		leader.start();
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		refreshes.runAll(); // finds the caller's load in flight: starts nothing
		release.countDown();
		leader.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(leaderResult.get()).isEqualTo(2);
		assertThat(version.get()).isEqualTo(2);
		assertThat(this.counts.refreshes(RefreshTrigger.EARLY)).isZero();
	}

	@Test
	void failingRefreshKeepsServingTheCurrentEntryUntilItExpires() throws Throwable {
		CollapseInstance instance = instance(ALWAYS, Runnable::run);
		AtomicInteger version = new AtomicInteger();
		instance.call("k", slowLoader(version));
		Loader failing = () -> {
			throw new IllegalStateException("upstream down");
		};
		long step = TTL.toNanos() / 10;
		for (int i = 0; i < 9; i++) {
			this.ticker.advanceNanos(step);
			assertThat(instance.call("k", failing)).isEqualTo(1);
		}
		assertThat(this.counts.refreshes(RefreshTrigger.EARLY)).isEqualTo(9);
		assertThat(this.counts.failedLoads.get()).isEqualTo(9);
		assertThat(this.counts.calls(CallResult.HIT)).isEqualTo(9);
		this.ticker.advanceNanos(step); // expired: the next caller loads, and gets the failure
		assertThatThrownBy(() -> instance.call("k", failing))
			.isInstanceOf(IllegalStateException.class);
		assertThat(this.counts.refreshes(RefreshTrigger.EXPIRED)).isEqualTo(1);
		assertThat(instance.call("k", slowLoader(version))).isEqualTo(2);
	}

	@Test
	void failingAsyncRefreshKeepsServingTheCurrentEntry() {
		CollapseInstance instance = instance(ALWAYS, Runnable::run);
		assertThat(instance.callAsync("k", () -> {
			this.ticker.advanceNanos(DELTA);
			return CompletableFuture.completedFuture("v1");
		})).isCompletedWithValue("v1");
		AsyncLoader failing = () -> CompletableFuture.failedFuture(new IllegalStateException("upstream down"));
		AsyncLoader throwing = () -> {
			throw new IllegalStateException("upstream down");
		};
		for (int i = 0; i < 5; i++) {
			this.ticker.advance(Duration.ofMillis(100));
			assertThat(instance.callAsync("k", (i % 2 == 0) ? failing : throwing)).isCompletedWithValue("v1");
		}
		assertThat(this.counts.refreshes(RefreshTrigger.EARLY)).isEqualTo(5);
		assertThat(this.counts.failedLoads.get()).isEqualTo(5);
		assertThat(instance.inflight()).isZero();
	}

	@Test
	void rejectingRefreshExecutorNeverBreaksTheCall() throws Throwable {
		CollapseInstance instance = instance(ALWAYS, (task) -> {
			throw new RejectedExecutionException("saturated");
		});
		AtomicInteger version = new AtomicInteger();
		instance.call("k", slowLoader(version));
		for (int i = 0; i < 100; i++) {
			assertThat(instance.call("k", slowLoader(version))).isEqualTo(1);
			assertThat(instance.callAsync("k", () -> CompletableFuture.completedFuture(-1))).isCompletedWithValue(1);
		}
		assertThat(this.counts.refreshes(RefreshTrigger.EARLY)).isZero();
		this.ticker.advance(TTL); // the entry is still reloaded, on expiry
		assertThat(instance.call("k", slowLoader(version))).isEqualTo(2);
		assertThat(this.counts.refreshes(RefreshTrigger.EXPIRED)).isEqualTo(1);
	}

	@Test
	void saturatedDefaultRefreshPoolNeverBreaksTheCall() throws Throwable {
		try (RefreshExecutor pool = RefreshExecutor.bounded(1, 1)) {
			CountDownLatch busy = new CountDownLatch(1);
			CountDownLatch release = new CountDownLatch(1);
			pool.executor().execute(() -> {
				busy.countDown();
				try {
					release.await();
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			});
			assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
			pool.executor().execute(() -> {
			}); // fills the queue of one
			CollapseInstance instance = instance(ALWAYS, pool.executor());
			AtomicInteger version = new AtomicInteger();
			instance.call("k", slowLoader(version));
			for (int i = 0; i < 10; i++) {
				assertThat(instance.call("k", slowLoader(version))).isEqualTo(1);
			}
			assertThat(this.counts.refreshes(RefreshTrigger.EARLY)).isZero();
			release.countDown();
		}
	}

	/**
	 * Regression: an early refresh did not mark its thread as the one loading the key, so a
	 * load that called its own key after the entry expired waited for itself until the wait
	 * timeout instead of failing at once (docs/design.md, Invariants, 5: recursion fails fast).
	 */
	@Test
	void earlyRefreshThatCallsItsOwnKeyFailsFastInsteadOfWaitingForItself() throws Throwable {
		this.registry = RefreshFixtures.registry(this.ticker, this.counts, Runnable::run);
		CollapseInstance instance = this.registry.register("early", new CollapseSettings(TTL, Jitter.NONE,
				Duration.ofSeconds(5), true, ALWAYS, RetrySettings.NONE, Duration.ZERO));
		AtomicInteger version = new AtomicInteger();
		instance.call("k", slowLoader(version));
		AtomicReference<Throwable> inner = new AtomicReference<>();
		AtomicReference<Throwable> innerAsync = new AtomicReference<>();
		this.ticker.advance(Duration.ofSeconds(1));
		instance.call("k", () -> {
			this.ticker.advance(TTL); // the entry expires while it is being refreshed
			try {
				instance.call("k", () -> "inner");
			}
			catch (Throwable ex) {
				inner.set(ex);
			}
			return "refreshed";
		});
		assertThat(inner.get()).isInstanceOf(CollapseRecursionException.class);

		this.ticker.advance(Duration.ofSeconds(1));
		instance.callAsync("k", () -> {
			this.ticker.advance(TTL);
			instance.callAsync("k", () -> CompletableFuture.completedFuture("inner"))
				.whenComplete((value, failure) -> innerAsync.set(failure));
			return CompletableFuture.completedFuture("refreshed again");
		});
		assertThat(innerAsync.get()).isInstanceOf(CollapseRecursionException.class);
	}

}
