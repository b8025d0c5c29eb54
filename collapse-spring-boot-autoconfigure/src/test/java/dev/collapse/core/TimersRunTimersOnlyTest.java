package dev.collapse.core;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.autoconfigure.CollapseProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Timer threads run timers only (issue 14, case 6): an asynchronous retry's next attempt and an
 * asynchronous follower's timeout run on the registry's executor, so that user code blocking
 * there never holds up another caller's timer, and a caller's dependent stages never run on the
 * {@code collapse-scheduler} thread. What the executor refuses still ends every caller's wait.
 */
class TimersRunTimersOnlyTest {

	private static final String SCHEDULER = "collapse-scheduler";

	/** Retried once, at once: the second attempt is due as soon as the first one failed. */
	private static final RetrySettings RETRIED_AT_ONCE = RetrySettings.of(2, Duration.ZERO, Duration.ZERO);

	private final CountDownLatch retryMayFinish = new CountDownLatch(1);

	private @Nullable CollapseRegistry registry;

	@AfterEach
	void close() {
		this.retryMayFinish.countDown();
		if (this.registry != null) {
			this.registry.close();
		}
	}

	/**
	 * The repro, made deterministic: the retry of one instance blocks (on a latch, not for
	 * 4 s) while a follower of another instance waits with a short wait timeout. Its timeout must
	 * reach it while the retry still blocks; before the fix both ran on the one scheduler thread.
	 */
	@Test
	void aBlockingAsyncRetryNeverHoldsUpAnotherInstancesTimeout() {
		this.registry = Registries.registry(System::nanoTime);
		CollapseInstance retried = this.registry.register("retried", settings(Herd.PATIENCE, RETRIED_AT_ONCE));
		CollapseInstance hurried = this.registry.register("hurried", settings(Duration.ofMillis(50), RetrySettings.NONE));
		CountDownLatch retrying = new CountDownLatch(1);
		AtomicReference<String> retryThread = new AtomicReference<>();
		AtomicInteger attempts = new AtomicInteger();
		CompletableFuture<@Nullable Object> retriedCall = retried.callAsync("k", () -> {
			if (attempts.incrementAndGet() == 1) {
				return CompletableFuture.failedFuture(new IOException("upstream down"));
			}
			// the synchronous part of the retry (the interceptor chain, the method body) blocks
			retryThread.set(Thread.currentThread().getName());
			retrying.countDown();
			Herd.hold(this.retryMayFinish);
			return CompletableFuture.completedFuture("retried");
		});
		await("the retry runs and blocks").atMost(Herd.PATIENCE).until(() -> retrying.getCount() == 0);

		CompletableFuture<@Nullable Object> neverLoaded = new CompletableFuture<>();
		hurried.callAsync("k", () -> neverLoaded);
		CompletableFuture<@Nullable Object> follower = hurried.callAsync("k", () -> neverLoaded);
		await("the follower's timeout, while the retry still blocks").atMost(Herd.PATIENCE).until(follower::isDone);
		assertThat(this.retryMayFinish.getCount()).as("the retry still blocks").isEqualTo(1);
		assertThat(follower).failsWithin(Duration.ZERO)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(CollapseTimeoutException.class);
		assertThat(retryThread.get()).as("thread of the retry").doesNotStartWith(SCHEDULER).startsWith("collapse-exec-");

		this.retryMayFinish.countDown();
		assertThat(retriedCall).succeedsWithin(Herd.PATIENCE).isEqualTo("retried");
		neverLoaded.complete("late");
	}

	/**
	 * A caller's dependent stage runs on the thread that completes its future: for a follower
	 * that times out, that must not be the scheduler's thread.
	 */
	@Test
	void aTimedOutFollowersDependentStageNeverRunsOnTheScheduler() {
		this.registry = Registries.registry(System::nanoTime);
		CollapseInstance instance = this.registry.register("hurried", settings(Duration.ofMillis(200), RetrySettings.NONE));
		CompletableFuture<@Nullable Object> neverLoaded = new CompletableFuture<>();
		instance.callAsync("k", () -> neverLoaded);
		CompletableFuture<@Nullable Object> follower = instance.callAsync("k", () -> neverLoaded);
		AtomicReference<String> continuedOn = new AtomicReference<>();
		CompletableFuture<@Nullable Object> dependent = follower
			.whenComplete((value, failure) -> continuedOn.set(Thread.currentThread().getName()));
		assertThat(follower).as("attached before the timeout, so it runs where the timeout completes it").isNotDone();

		assertThat(dependent).failsWithin(Herd.PATIENCE)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(CollapseTimeoutException.class);
		assertThat(continuedOn.get()).as("thread of the caller's dependent stage")
			.doesNotStartWith(SCHEDULER)
			.startsWith("collapse-exec-");
		neverLoaded.complete("late");
	}

	/**
	 * An executor that refuses everything (saturated): the retry does not run, and the load ends
	 * with its last exception for the leader and its follower alike, with a CollapseException that
	 * says why; a follower's timeout still reaches it. Nobody is left waiting.
	 */
	@Test
	void whatTheExecutorRefusesStillEndsEveryCallersWait() {
		Executor saturated = (task) -> {
			throw new RejectedExecutionException("queue full");
		};
		this.registry = new CollapseRegistry(new LocalStore(100, System::nanoTime), (name) -> {
			throw new AssertionError("instances of this test are registered explicitly");
		}, List.of(), null, null, saturated);
		CollapseInstance retried = this.registry.register("retried", settings(Herd.PATIENCE, RETRIED_AT_ONCE));
		IOException down = new IOException("upstream down");
		CompletableFuture<@Nullable Object> firstAttempt = new CompletableFuture<>();
		AtomicInteger attempts = new AtomicInteger();
		CompletableFuture<@Nullable Object> leader = retried.callAsync("k", () -> {
			attempts.incrementAndGet();
			return firstAttempt;
		});
		CompletableFuture<@Nullable Object> follower = retried.callAsync("k", () -> CompletableFuture.completedFuture("never"));
		firstAttempt.completeExceptionally(down);
		for (CompletableFuture<@Nullable Object> call : List.of(leader, follower)) {
			assertThat(call).failsWithin(Herd.PATIENCE).withThrowableOfType(ExecutionException.class).havingCause().isSameAs(down);
		}
		assertThat(down.getSuppressed()).as("why no retry followed")
			.singleElement()
			.isInstanceOf(CollapseException.class)
			.satisfies((why) -> assertThat(why).hasMessageContaining("'retried'")
				.hasMessageContaining("executor refused")
				.hasCauseInstanceOf(RejectedExecutionException.class));
		assertThat(attempts).hasValue(1);
		assertThat(retried.inflight()).isZero();

		CollapseInstance hurried = this.registry.register("hurried", settings(Duration.ofMillis(1), RetrySettings.NONE));
		CompletableFuture<@Nullable Object> neverLoaded = new CompletableFuture<>();
		hurried.callAsync("k", () -> neverLoaded);
		CompletableFuture<@Nullable Object> timedOut = hurried.callAsync("k", () -> neverLoaded);
		assertThat(timedOut).failsWithin(Herd.PATIENCE)
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOf(CollapseTimeoutException.class)
			.satisfies((timeout) -> assertThat(timeout.getSuppressed()).singleElement()
				.isInstanceOf(CollapseException.class)
				.satisfies((why) -> assertThat(why).hasMessageContaining("executor refused")));
		neverLoaded.complete("late");
	}

	/** A registry built without an executor makes its own, with the defaults of the properties. */
	@Test
	void theRegistrysOwnExecutorHasThePropertiesDefaults() {
		CollapseProperties.Executor defaults = new CollapseProperties().getExecutor();
		assertThat(CollapseExecutor.DEFAULT_MAX_THREADS).isEqualTo(defaults.getMaxThreads());
		assertThat(CollapseExecutor.DEFAULT_QUEUE_CAPACITY).isEqualTo(defaults.getQueueCapacity());
	}

	private static CollapseSettings settings(Duration waitTimeout, RetrySettings retry) {
		return new CollapseSettings(Duration.ZERO, Jitter.NONE, waitTimeout, true, 0, retry, Duration.ZERO);
	}

}
