package dev.collapse.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.autoconfigure.CollapseProperties;
import dev.collapse.core.RefreshFixtures.Counts;
import dev.collapse.core.RefreshFixtures.ManualTicker;
import dev.collapse.core.RefreshFixtures.RecordingExecutor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Stale-if-error (issue 5): when a load fails and the key's entry expired less than
 * {@code stale-if-error} ago, every caller of that load gets the old value, counted as
 * {@link CallResult#STALE}, and the failure is not stored.
 */
class StaleIfErrorTest {

	private static final Duration TTL = Duration.ofSeconds(1);

	private final ManualTicker ticker = new ManualTicker();

	private final Counts counts = new Counts();

	private CollapseRegistry registry;

	private ExecutorService pool;

	@AfterEach
	void close() {
		if (this.registry != null) {
			this.registry.close();
		}
		if (this.pool != null) {
			this.pool.shutdownNow();
		}
	}

	private CollapseInstance instance(Duration ttl, Duration staleIfError) {
		return instance(ttl, staleIfError, RetrySettings.NONE);
	}

	private CollapseInstance instance(Duration ttl, Duration staleIfError, RetrySettings retry) {
		this.registry = RefreshFixtures.registry(this.ticker, this.counts, Runnable::run);
		return this.registry.register("stale", RefreshFixtures.settings(ttl, 0, retry, staleIfError));
	}

	@Test
	void offByDefault() {
		assertThat(new CollapseProperties().getDefaults().getStaleIfError()).isZero();
	}

	@Test
	void everyWaitingCallerGetsTheOldValueWhenTheReloadFailsWithinTheWindow() throws Throwable {
		CollapseInstance instance = instance(TTL, Duration.ofSeconds(10));
		instance.call("k", () -> "old");
		this.ticker.advance(TTL.plusSeconds(3)); // expired 3 s ago
		int callers = 200;
		this.pool = Executors.newFixedThreadPool(callers);
		List<Thread> threads = new ArrayList<>();
		AtomicInteger loads = new AtomicInteger();
		AtomicBoolean othersWaiting = new AtomicBoolean();
		CountDownLatch start = new CountDownLatch(1);
		List<Future<Object>> results = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			results.add(this.pool.submit(() -> {
				synchronized (threads) {
					threads.add(Thread.currentThread());
				}
				start.await();
				return RefreshFixtures.outcome(instance, "k", () -> {
					loads.incrementAndGet();
					Herd.awaitFollowers(instance, "k", callers - 1);
					othersWaiting.set(true);
					throw new IllegalStateException("upstream down");
				});
			}));
		}
		await().atMost(Duration.ofSeconds(10)).until(() -> size(threads) == callers);
		start.countDown();
		for (Future<Object> result : results) {
			assertThat(result.get(20, TimeUnit.SECONDS)).isEqualTo("old");
		}
		assertThat(othersWaiting).as("the other callers waited on the failing load").isTrue();
		assertThat(loads.get()).isEqualTo(1);
		assertThat(this.counts.calls(CallResult.STALE)).isEqualTo(callers);
		assertThat(this.counts.failedLoads.get()).isEqualTo(1);
		assertThat(this.counts.refreshes(RefreshTrigger.EXPIRED)).isEqualTo(1);
		// the failure was not stored, nor was the old value stored again: the next call loads
		assertThat(instance.call("k", () -> "new")).isEqualTo("new");
		assertThat(this.counts.calls(CallResult.LEADER)).isEqualTo(2);
	}

	@Test
	void asynchronousCallersGetTheOldValueToo() {
		CollapseInstance instance = instance(TTL, Duration.ofSeconds(10));
		assertThat(instance.callAsync("k", () -> CompletableFuture.completedFuture("old"))).isCompletedWithValue("old");
		this.ticker.advance(TTL.plusSeconds(1));
		CompletableFuture<Object> load = new CompletableFuture<>();
		List<CompletableFuture<Object>> results = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			results.add(instance.callAsync("k", () -> load));
		}
		assertThat(results).allMatch((result) -> !result.isDone());
		load.completeExceptionally(new IllegalStateException("upstream down"));
		for (CompletableFuture<Object> result : results) {
			assertThat(result).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("old");
		}
		assertThat(this.counts.calls(CallResult.STALE)).isEqualTo(100);
	}

	@Test
	void staleIsServedOnlyAfterEveryRetryFailed() throws Throwable {
		CollapseInstance instance = instance(TTL, Duration.ofSeconds(10),
				RetrySettings.of(3, Duration.ZERO, Duration.ZERO));
		instance.call("k", () -> "old");
		this.ticker.advance(TTL.plusMillis(1));
		AtomicInteger attempts = new AtomicInteger();
		assertThat(instance.call("k", () -> {
			attempts.incrementAndGet();
			throw new IllegalStateException("upstream down");
		})).isEqualTo("old");
		assertThat(attempts.get()).isEqualTo(3);
		assertThat(this.counts.retries.get()).isEqualTo(2);
	}

	@Test
	void beyondTheWindowTheFailureReachesTheCaller() throws Throwable {
		// ttl 30 s keeps the expired entry for 30 s, longer than the 2 s window
		CollapseInstance instance = instance(Duration.ofSeconds(30), Duration.ofSeconds(2));
		instance.call("k", () -> "old");
		this.ticker.advance(Duration.ofSeconds(30 + 5));
		assertThatThrownBy(() -> instance.call("k", () -> {
			throw new IllegalStateException("upstream down");
		})).isInstanceOf(IllegalStateException.class).hasMessage("upstream down");
		assertThat(this.counts.refreshes(RefreshTrigger.EXPIRED)).as("the expired entry was still there").isEqualTo(1);
		assertThat(this.counts.calls(CallResult.STALE)).isZero();
	}

	@Test
	void theWindowEndsExactlyStaleIfErrorAfterTheExpiryAndIsMeasuredWhenTheLoadFailed() throws Throwable {
		CollapseInstance instance = instance(Duration.ofSeconds(30), Duration.ofSeconds(2));
		instance.call("k", () -> "old");
		this.ticker.advance(Duration.ofSeconds(30 + 2).minusNanos(2));
		assertThat(instance.call("k", () -> {
			this.ticker.advanceNanos(1); // fails 1 ns before the end of the window
			throw new IllegalStateException("upstream down");
		})).isEqualTo("old");
		assertThatThrownBy(() -> instance.call("k", () -> {
			this.ticker.advanceNanos(1); // fails exactly 2 s after the expiry
			throw new IllegalStateException("upstream down");
		})).isInstanceOf(IllegalStateException.class);
	}

	@Test
	void afterTheEntryIsDroppedTheFailureReachesTheCaller() throws Throwable {
		// ttl 1 s, window 2 s: the expired entry is kept 2 s, then dropped
		CollapseInstance instance = instance(TTL, Duration.ofSeconds(2));
		instance.call("k", () -> "old");
		this.ticker.advance(TTL.plusSeconds(3));
		assertThatThrownBy(() -> instance.call("k", () -> {
			throw new IllegalStateException("upstream down");
		})).isInstanceOf(IllegalStateException.class);
		assertThat(this.counts.refreshes(RefreshTrigger.EXPIRED)).isZero();
	}

	@Test
	void zeroServesTheFailure() throws Throwable {
		CollapseInstance instance = instance(Duration.ofSeconds(30), Duration.ZERO);
		instance.call("k", () -> "old");
		this.ticker.advance(Duration.ofSeconds(30).plusMillis(1));
		assertThatThrownBy(() -> instance.call("k", () -> {
			throw new IllegalStateException("upstream down");
		})).isInstanceOf(IllegalStateException.class);
		assertThat(this.counts.calls(CallResult.STALE)).isZero();
	}

	/**
	 * Regression: a caller that missed after the entry expired while its early refresh was still
	 * loading attached to the refresh's flight; when the refresh failed, that caller got the
	 * exception even though the entry had expired well within stale-if-error.
	 */
	@Test
	void callerWaitingForAFailedEarlyRefreshGetsTheOldValue() throws Throwable {
		RecordingExecutor refreshes = new RecordingExecutor();
		this.registry = RefreshFixtures.registry(this.ticker, this.counts, refreshes);
		CollapseInstance instance = this.registry.register("stale",
				RefreshFixtures.settings(TTL, 1e9, RetrySettings.NONE, Duration.ofSeconds(10)));
		instance.call("k", () -> {
			this.ticker.advance(Duration.ofMillis(200));
			return "old";
		});
		CountDownLatch refreshing = new CountDownLatch(1);
		CountDownLatch fail = new CountDownLatch(1);
		assertThat(instance.call("k", () -> {
			refreshing.countDown();
			fail.await();
			throw new IllegalStateException("upstream down");
		})).isEqualTo("old");
		Thread refresh = new Thread(refreshes.take());
		refresh.start();
		assertThat(refreshing.await(10, TimeUnit.SECONDS)).isTrue();
		this.ticker.advance(TTL); // expires while the refresh loads
		AtomicReference<Object> follower = new AtomicReference<>();
		Thread caller = new Thread(
				() -> follower.set(RefreshFixtures.outcome(instance, "k", () -> "not run: the refresh is in flight")));
		caller.start();
		Herd.awaitFollowers(instance, "k", 1);
		fail.countDown();
		caller.join(TimeUnit.SECONDS.toMillis(10));
		refresh.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(follower.get()).isEqualTo("old");
		assertThat(this.counts.calls(CallResult.STALE)).isEqualTo(1);
	}

	private static int size(List<Thread> threads) {
		synchronized (threads) {
			return threads.size();
		}
	}

}
