package dev.collapse.core;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.core.RefreshFixtures.Counts;
import dev.collapse.core.RefreshFixtures.ManualTicker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.awaitility.Awaitility.await;

/**
 * Retries of a failed load (issue 5): only the leader retries, with exponential backoff and full
 * jitter; followers wait for its final outcome.
 */
class RetryBackoffTest {

	/** Short real delays: the synchronous leader sleeps its backoff on its own thread. */
	private static final RetrySettings THREE_ATTEMPTS = RetrySettings.of(3, Duration.ofMillis(1),
			Duration.ofMillis(4));

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

	private CollapseInstance instance(RetrySettings retry) {
		this.registry = RefreshFixtures.registry(this.ticker, this.counts, Runnable::run);
		return this.registry.register("retry",
				RefreshFixtures.settings(Duration.ofSeconds(10), 0, retry, Duration.ZERO));
	}

	// ---- Backoff itself

	@Test
	void ceilingDoublesFromTheBaseDelayUpToTheMaxDelay() {
		RetrySettings retry = RetrySettings.of(5, Duration.ofMillis(100), Duration.ofSeconds(2));
		long[] expectedMillis = { 100, 200, 400, 800, 1600, 2000, 2000, 2000 };
		for (int k = 1; k <= expectedMillis.length; k++) {
			assertThat(Backoff.ceilingNanos(retry, k)).as("retry %d", k)
				.isEqualTo(Duration.ofMillis(expectedMillis[k - 1]).toNanos());
		}
		assertThat(Backoff.ceilingNanos(retry, 1_000)).isEqualTo(Duration.ofSeconds(2).toNanos());
		assertThat(Backoff.ceilingNanos(RetrySettings.of(5, Duration.ZERO, Duration.ZERO), 3)).isZero();
		assertThat(Backoff.delayNanos(RetrySettings.of(5, Duration.ZERO, Duration.ZERO), 3)).isZero();
	}

	/**
	 * 20,000 draws per retry: every draw within {@code [0, ceiling]}; the smallest below 1% and
	 * the largest above 99% of the ceiling (a uniform draw misses either with probability
	 * 0.99^20000 ≈ e^-200); and a chi-square over 10 equal bins below 60, where a uniform draw
	 * exceeds 60 with 9 degrees of freedom with probability about 10⁻⁹. A constant, a fixed
	 * interval or a draw squeezed into part of the range fails.
	 */
	@Test
	void delaysAreUniformWithinTheirBounds() {
		RetrySettings retry = RetrySettings.of(10, Duration.ofMillis(100), Duration.ofSeconds(2));
		int draws = 20_000;
		int bins = 10;
		for (int k = 1; k <= 7; k++) {
			long ceiling = Backoff.ceilingNanos(retry, k);
			long min = Long.MAX_VALUE;
			long max = Long.MIN_VALUE;
			int[] counts = new int[bins];
			for (int i = 0; i < draws; i++) {
				long delay = Backoff.delayNanos(retry, k);
				assertThat(delay).isBetween(0L, ceiling);
				min = Math.min(min, delay);
				max = Math.max(max, delay);
				counts[(int) Math.min(bins - 1, delay * bins / (ceiling + 1))]++;
			}
			assertThat(min).as("smallest delay of retry %d", k).isLessThan(ceiling / 100);
			assertThat(max).as("largest delay of retry %d", k).isGreaterThan(ceiling - ceiling / 100);
			double expected = draws / (double) bins;
			double chiSquare = 0;
			for (int count : counts) {
				chiSquare += (count - expected) * (count - expected) / expected;
			}
			assertThat(chiSquare).as("chi-square of retry %d over %d bins", k, bins).isLessThan(60);
		}
	}

	@Test
	void delaysDifferBetweenRuns() {
		RetrySettings retry = RetrySettings.of(3, Duration.ofMillis(100), Duration.ofSeconds(2));
		List<Long> first = new ArrayList<>();
		List<Long> second = new ArrayList<>();
		for (int k = 1; k <= 2; k++) {
			for (int i = 0; i < 5; i++) {
				first.add(Backoff.delayNanos(retry, k));
				second.add(Backoff.delayNanos(retry, k));
			}
		}
		// ten draws in nanoseconds over ranges of 10^8: equal sequences have probability < 10^-80
		assertThat(first).isNotEqualTo(second);
	}

	/** Regression: a ceiling of Long.MAX_VALUE made the draw's bound overflow and throw. */
	@Test
	void hugeDelaysNeitherOverflowNorThrow() {
		RetrySettings huge = RetrySettings.of(100, Duration.ofSeconds(1), Duration.ofNanos(Long.MAX_VALUE));
		assertThat(Backoff.ceilingNanos(huge, 99)).isEqualTo(Long.MAX_VALUE);
		assertThat(Backoff.delayNanos(huge, 99)).isBetween(0L, Long.MAX_VALUE);
		RetrySettings beyondNanos = RetrySettings.of(100, Duration.ofSeconds(1), Duration.ofDays(365L * 1_000));
		assertThat(Backoff.ceilingNanos(beyondNanos, 99)).isEqualTo(Long.MAX_VALUE);
		assertThat(Backoff.delayNanos(beyondNanos, 99)).isNotNegative();
	}

	@Test
	void settingsAreValidated() {
		assertThatIllegalArgumentException().isThrownBy(() -> RetrySettings.of(0, Duration.ZERO, Duration.ZERO))
			.withMessageContaining("max-attempts");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetrySettings.of(2, Duration.ofMillis(-1), Duration.ZERO))
			.withMessageContaining("base-delay");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> RetrySettings.of(2, Duration.ofSeconds(2), Duration.ofSeconds(1)))
			.withMessageContaining("max-delay");
	}

	@Test
	void retryOnAndIgnoreDecideWhichFailuresAreRetried() {
		RetrySettings any = RetrySettings.of(3, Duration.ZERO, Duration.ZERO);
		assertThat(any.retries(new IllegalStateException())).isTrue();
		assertThat(any.retries(new IOException())).isTrue();
		assertThat(any.retries(new AssertionError())).as("errors are never retried").isFalse();
		assertThat(any.retries(new OutOfMemoryError())).isFalse();
		RetrySettings io = new RetrySettings(3, Duration.ZERO, Duration.ZERO, List.of(IOException.class),
				List.of(FileNotFoundException.class));
		assertThat(io.retries(new IOException())).isTrue();
		assertThat(io.retries(new java.net.SocketTimeoutException())).as("subclasses too").isTrue();
		assertThat(io.retries(new FileNotFoundException())).as("ignore wins").isFalse();
		assertThat(io.retries(new IllegalStateException())).isFalse();
		assertThat(io.retries(new UncheckedIOException(new IOException()))).as("causes are not looked at").isFalse();
		RetrySettings errorNamed = new RetrySettings(3, Duration.ZERO, Duration.ZERO, List.of(Throwable.class),
				List.of());
		assertThat(errorNamed.retries(new AssertionError())).as("errors even when retry-on names Throwable").isFalse();
	}

	// ---- the leader retries, followers wait

	/**
	 * The upstream fails twice then succeeds while 1,000 callers wait: the leader holds its
	 * first attempt until the 999 others are parked on the flight, so each of them provably
	 * waited through both retries.
	 */
	@Test
	void upstreamFailingTwiceUnderAThousandWaitingCallersIsLoadedThreeTimes() throws Exception {
		CollapseInstance instance = instance(THREE_ATTEMPTS);
		int callers = 1_000;
		this.pool = Executors.newFixedThreadPool(callers);
		CountDownLatch start = new CountDownLatch(1);
		AtomicInteger loads = new AtomicInteger();
		AtomicBoolean othersWaiting = new AtomicBoolean();
		Loader flaky = () -> {
			int attempt = loads.incrementAndGet();
			if (attempt == 1) {
				Herd.awaitFollowers(instance, "k", callers - 1);
				othersWaiting.set(true);
			}
			if (attempt <= 2) {
				throw new IllegalStateException("upstream down, attempt " + attempt);
			}
			return "value";
		};
		List<Future<Object>> results = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			results.add(this.pool.submit(() -> {
				start.await();
				return RefreshFixtures.outcome(instance, "k", flaky);
			}));
		}
		start.countDown();
		for (Future<Object> result : results) {
			assertThat(result.get(30, TimeUnit.SECONDS)).isEqualTo("value");
		}
		assertThat(othersWaiting).as("the other callers waited on the first attempt").isTrue();
		assertThat(loads.get()).isEqualTo(3);
		assertThat(this.counts.retries.get()).isEqualTo(2);
		assertThat(this.counts.successfulLoads.get()).as("one load, all its attempts").isEqualTo(1);
		assertThat(this.counts.failedLoads.get()).isZero();
		assertThat(this.counts.calls(CallResult.LEADER)).isEqualTo(1);
		assertThat(this.counts.calls(CallResult.FOLLOWER)).isEqualTo(callers - 1);
	}

	@Test
	void asyncUpstreamFailingTwiceUnderAThousandWaitingCallersIsLoadedThreeTimes() {
		CollapseInstance instance = instance(THREE_ATTEMPTS);
		CompletableFuture<Object> firstAttempt = new CompletableFuture<>();
		AtomicInteger loads = new AtomicInteger();
		AsyncLoader flaky = () -> {
			int attempt = loads.incrementAndGet();
			if (attempt == 1) {
				return firstAttempt;
			}
			if (attempt == 2) {
				throw new IllegalStateException("upstream down, attempt 2"); // thrown, not returned
			}
			return CompletableFuture.completedFuture("value");
		};
		List<CompletableFuture<Object>> results = new ArrayList<>();
		for (int i = 0; i < 1_000; i++) {
			results.add(instance.callAsync("k", flaky));
		}
		assertThat(results).noneMatch(CompletableFuture::isDone);
		firstAttempt.completeExceptionally(new IllegalStateException("upstream down, attempt 1"));
		for (CompletableFuture<Object> result : results) {
			assertThat(result).succeedsWithin(Duration.ofSeconds(30)).isEqualTo("value");
		}
		assertThat(loads.get()).isEqualTo(3);
		assertThat(this.counts.retries.get()).isEqualTo(2);
		assertThat(this.counts.calls(CallResult.FOLLOWER)).isEqualTo(999);
	}

	@Test
	void whenEveryAttemptFailsTheLastExceptionReachesEveryCaller() throws Exception {
		CollapseInstance instance = instance(THREE_ATTEMPTS);
		int callers = 50;
		this.pool = Executors.newFixedThreadPool(callers);
		List<Throwable> thrown = new ArrayList<>();
		Loader failing = () -> {
			if (thrown.isEmpty()) {
				Herd.awaitFollowers(instance, "k", callers - 1);
			}
			IllegalStateException ex = new IllegalStateException("attempt " + (thrown.size() + 1));
			thrown.add(ex); // only the leader's thread runs attempts, one after the other
			throw ex;
		};
		CountDownLatch start = new CountDownLatch(1);
		List<Future<Object>> results = new ArrayList<>();
		for (int i = 0; i < callers; i++) {
			results.add(this.pool.submit(() -> {
				start.await();
				return RefreshFixtures.outcome(instance, "k", failing);
			}));
		}
		start.countDown();
		List<Object> outcomes = new ArrayList<>();
		for (Future<Object> result : results) {
			outcomes.add(result.get(30, TimeUnit.SECONDS));
		}
		assertThat(thrown).hasSize(3);
		assertThat(outcomes).allSatisfy((outcome) -> assertThat(outcome).isSameAs(thrown.get(2)));
		assertThat(this.counts.retries.get()).isEqualTo(2);
		assertThat(this.counts.failedLoads.get()).isEqualTo(1);
	}

	@Test
	void whenEveryAsyncAttemptFailsTheLastExceptionReachesEveryCaller() {
		CollapseInstance instance = instance(THREE_ATTEMPTS);
		// retries run on the scheduler thread while the test thread reads the list
		List<Throwable> thrown = new java.util.concurrent.CopyOnWriteArrayList<>();
		CompletableFuture<Object> firstAttempt = new CompletableFuture<>();
		AsyncLoader failing = () -> {
			IllegalStateException ex = new IllegalStateException("attempt " + (thrown.size() + 1));
			thrown.add(ex);
			if (thrown.size() == 1) {
				// held until every caller has attached, so that all of them wait for the retries
				return firstAttempt.thenApply((value) -> value); // fails wrapped in a CompletionException
			}
			return CompletableFuture.failedFuture(ex);
		};
		List<CompletableFuture<Object>> results = new ArrayList<>();
		for (int i = 0; i < 100; i++) {
			results.add(instance.callAsync("k", failing));
		}
		firstAttempt.completeExceptionally(thrown.get(0));
		for (CompletableFuture<Object> result : results) {
			assertThat(result).failsWithin(Duration.ofSeconds(30))
				.withThrowableThat()
				.havingCause()
				.isSameAs(thrown.get(2));
		}
		assertThat(thrown).hasSize(3);
	}

	@Test
	void errorsAreNeverRetried() throws Throwable {
		CollapseInstance instance = instance(RetrySettings.of(5, Duration.ZERO, Duration.ZERO));
		AtomicInteger loads = new AtomicInteger();
		AssertionError error = new AssertionError("not a transient failure");
		Object outcome = RefreshFixtures.outcome(instance, "k", () -> {
			loads.incrementAndGet();
			throw error;
		});
		assertThat(outcome).isSameAs(error);
		assertThat(instance.callAsync("k", () -> {
			loads.incrementAndGet();
			throw error;
		})).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause().isSameAs(error);
		assertThat(loads.get()).isEqualTo(2);
		assertThat(this.counts.retries.get()).isZero();
	}

	/** Closing the registry drops the scheduler: a retry that cannot be scheduled ends the load, in its future. */
	@Test
	void asyncRetryOfAClosedRegistryFailsTheFutureWithTheLoadsException() {
		CollapseInstance instance = instance(THREE_ATTEMPTS);
		this.registry.close();
		AtomicInteger loads = new AtomicInteger();
		IOException failure = new IOException("upstream down");
		CompletableFuture<Object> call = instance.callAsync("k", () -> {
			loads.incrementAndGet();
			return CompletableFuture.failedFuture(failure);
		});
		assertThat(call).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause().isSameAs(failure);
		assertThat(failure.getSuppressed()).as("why no retry followed")
			.hasAtLeastOneElementOfType(RejectedExecutionException.class);
		assertThat(loads).hasValue(1);
	}

	/**
	 * Regression: with retry-on empty (every Exception) a load that called another collapsed key
	 * and timed out waiting for it was retried, so its callers waited that timeout once per attempt.
	 */
	@Test
	void collapseTimeoutAndRecursionAreNeverRetried() throws Throwable {
		CollapseInstance instance = instance(THREE_ATTEMPTS);
		AtomicInteger loads = new AtomicInteger();
		CollapseTimeoutException timeout = new CollapseTimeoutException("inner", Duration.ofMillis(5));
		assertThat(RefreshFixtures.outcome(instance, "a", () -> {
			loads.incrementAndGet();
			throw timeout;
		})).isSameAs(timeout);
		assertThat(loads.getAndSet(0)).as("loads of a load whose nested call timed out").isEqualTo(1);
		assertThat(instance.callAsync("b", () -> {
			loads.incrementAndGet();
			return CompletableFuture.failedFuture(timeout);
		})).failsWithin(Duration.ofSeconds(10)).withThrowableThat().havingCause().isSameAs(timeout);
		assertThat(loads.getAndSet(0)).as("asynchronous loads").isEqualTo(1);
		CollapseRecursionException recursion = new CollapseRecursionException("inner");
		assertThat(RefreshFixtures.outcome(instance, "c", () -> {
			loads.incrementAndGet();
			throw recursion;
		})).isSameAs(recursion);
		assertThat(loads.getAndSet(0)).as("loads of a load that recursed").isEqualTo(1);
		assertThat(this.counts.retries.get()).isZero();
	}

	@Test
	void collapseTimeoutAndRecursionAreNotRetriedEvenWhenRetryOnNamesASuperclass() {
		RetrySettings runtime = new RetrySettings(3, Duration.ZERO, Duration.ZERO, List.of(RuntimeException.class),
				List.of());
		assertThat(runtime.retries(new IllegalStateException())).as("a listed exception").isTrue();
		assertThat(runtime.retries(new CollapseTimeoutException("inner", Duration.ofMillis(5)))).isFalse();
		assertThat(runtime.retries(new CollapseRecursionException("inner"))).isFalse();
	}

	/** Regression: a nested collapsed call that was interrupted was retried when retry-on was empty. */
	@Test
	void aNestedCollapsedCallThatWasInterruptedIsNeverRetried() {
		RetrySettings any = new RetrySettings(3, Duration.ZERO, Duration.ZERO, List.of(), List.of());
		assertThat(any.retries(new CollapseInterruptedException("inner", new InterruptedException()))).isFalse();
	}

	@Test
	void onlyRetryOnIsRetriedAndIgnoreIsNot() throws Throwable {
		CollapseInstance instance = instance(new RetrySettings(4, Duration.ZERO, Duration.ZERO,
				List.of(IOException.class), List.of(FileNotFoundException.class)));
		AtomicInteger loads = new AtomicInteger();
		assertThat(RefreshFixtures.outcome(instance, "a", () -> {
			loads.incrementAndGet();
			throw new IllegalStateException("not listed");
		})).isInstanceOf(IllegalStateException.class);
		assertThat(loads.getAndSet(0)).isEqualTo(1);
		assertThat(RefreshFixtures.outcome(instance, "b", () -> {
			loads.incrementAndGet();
			throw new FileNotFoundException("ignored");
		})).isInstanceOf(FileNotFoundException.class);
		assertThat(loads.getAndSet(0)).isEqualTo(1);
		assertThat(RefreshFixtures.outcome(instance, "c", () -> {
			if (loads.incrementAndGet() < 4) {
				throw new IOException("retried");
			}
			return "fourth attempt";
		})).isEqualTo("fourth attempt");
		assertThat(loads.getAndSet(0)).isEqualTo(4);
		assertThat(instance.callAsync("d", () -> {
			loads.incrementAndGet();
			return CompletableFuture.failedFuture(new FileNotFoundException("ignored"));
		})).failsWithin(Duration.ofSeconds(10));
		assertThat(loads.get()).isEqualTo(1);
		assertThat(this.counts.retries.get()).isEqualTo(3);
	}

	/**
	 * Regression: a load that threw InterruptedException (which clears the interrupt status) was
	 * retried like any exception, so an interrupted leader went on calling the upstream.
	 */
	@Test
	void loadThatWasInterruptedIsNotRetried() {
		CollapseInstance instance = instance(new RetrySettings(5, Duration.ZERO, Duration.ZERO, List.of(Exception.class),
				List.of()));
		AtomicInteger loads = new AtomicInteger();
		InterruptedException interrupted = new InterruptedException("stop");
		assertThat(RefreshFixtures.outcome(instance, "k", () -> {
			loads.incrementAndGet();
			throw interrupted;
		})).isSameAs(interrupted);
		assertThat(instance.callAsync("k", () -> CompletableFuture.failedFuture(interrupted)))
			.failsWithin(Duration.ofSeconds(10));
		assertThat(loads.get()).isEqualTo(1);
		assertThat(this.counts.retries.get()).isZero();
		assertThat(RetrySettings.of(5, Duration.ZERO, Duration.ZERO)
			.retries(new java.net.SocketTimeoutException("an InterruptedIOException, still retried"))).isTrue();
	}

	/**
	 * An interrupt while the leader sleeps its backoff stops the retries: the leader and its
	 * followers get the load's exception, the leader keeps its interrupt status, and no further
	 * attempt runs. The backoff ceiling is an hour, so the interrupt lands in the sleep (a draw
	 * below the few milliseconds the test needs to get there has probability ~10⁻⁶).
	 */
	@Test
	void interruptDuringTheBackoffStopsRetryingAndKeepsTheInterrupt() throws Exception {
		CollapseInstance instance = instance(RetrySettings.of(3, Duration.ofHours(1), Duration.ofHours(1)));
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch loading = new CountDownLatch(1);
		CountDownLatch fail = new CountDownLatch(1);
		IllegalStateException failure = new IllegalStateException("upstream down");
		AtomicReference<Object> leaderOutcome = new AtomicReference<>();
		AtomicBoolean leaderInterrupted = new AtomicBoolean();
		Thread leader = new Thread(() -> {
			leaderOutcome.set(RefreshFixtures.outcome(instance, "k", () -> {
				if (loads.incrementAndGet() == 1) {
					loading.countDown();
					fail.await();
				}
				throw failure;
			}));
			leaderInterrupted.set(Thread.currentThread().isInterrupted());
		});
		leader.start();
		assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
		AtomicReference<Object> followerOutcome = new AtomicReference<>();
		Thread follower = new Thread(() -> followerOutcome.set(RefreshFixtures.outcome(instance, "k", () -> "never")));
		follower.start();
		Herd.awaitFollowers(instance, "k", 1);
		fail.countDown();
		await().atMost(Duration.ofSeconds(10))
			.until(() -> this.counts.retries.get() == 1 && leader.getState() == Thread.State.TIMED_WAITING);
		leader.interrupt();
		leader.join(TimeUnit.SECONDS.toMillis(10));
		follower.join(TimeUnit.SECONDS.toMillis(10));
		assertThat(leaderOutcome.get()).isSameAs(failure);
		assertThat(failure.getSuppressed()).hasSize(1).allMatch((s) -> s instanceof InterruptedException);
		assertThat(leaderInterrupted).isTrue();
		assertThat(followerOutcome.get()).isSameAs(failure);
		assertThat(loads.get()).isEqualTo(1);
		assertThat(this.counts.failedLoads.get()).isEqualTo(1);
	}

}
