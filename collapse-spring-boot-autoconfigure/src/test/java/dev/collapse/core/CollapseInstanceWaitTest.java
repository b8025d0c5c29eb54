package dev.collapse.core;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * Invariants 3, 4 and 5: every wait ends (timeout, interrupt), a caller that stops waiting never
 * stops the load for the others, and a load that calls its own key fails instead of deadlocking.
 */
class CollapseInstanceWaitTest {

	private final CollapseRegistry registry = Registries.registry(new ManualTicker());

	@AfterEach
	void close() {
		this.registry.close();
	}

	@Test
	void followerTimesOutWhileTheLoadGoesOnForTheOthers() throws Throwable {
		// long enough that the late follower, which joins after the early one gave up, is never
		// itself timed out by a slow machine between joining and the release of the load
		Duration waitTimeout = Duration.ofSeconds(2);
		CollapseInstance instance = this.registry.register("slow", Registries.waitingAtMost(waitTimeout));
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch loadMayFinish = new CountDownLatch(1);
		Loader held = () -> {
			loads.incrementAndGet();
			Herd.hold(loadMayFinish);
			return "v";
		};
		try (Herd herd = new Herd(3)) {
			Future<Object> leader = herd.add(() -> instance.call("k", held));
			herd.release();
			Herd.awaitFollowers(instance, "k", 0);
			Future<Object> early = herd.add(() -> instance.call("k", held));
			assertThatThrownBy(() -> Herd.result(early)).isInstanceOf(CollapseTimeoutException.class)
				.hasMessageContaining("'slow'")
				.hasMessageContaining("collapse.instances.slow.wait-timeout")
				.satisfies((ex) -> assertThat(((CollapseTimeoutException) ex).getWaitTimeout()).isEqualTo(waitTimeout));
			// the load is still running: a caller arriving now joins it instead of loading again
			Future<Object> late = herd.add(() -> instance.call("k", held));
			Herd.awaitFollowers(instance, "k", 2);
			loadMayFinish.countDown();
			assertThat(Herd.result(leader)).isEqualTo("v");
			assertThat(Herd.result(late)).isEqualTo("v");
		}
		assertThat(loads).hasValue(1);
		assertThat(instance.inflight()).isZero();
	}

	@Test
	void eachFollowerWaitsItsOwnWholeTimeoutNotTheFirstFollowersOne() throws Throwable {
		// followers park without a timer each; the flight's one timer (the first follower's) is
		// held here and fired while both wait, as if the first one's timeout were up
		Duration waitTimeout = Duration.ofSeconds(1);
		HeldScheduler scheduler = new HeldScheduler();
		CollapseInstance instance = new CollapseInstance("slow", Registries.waitingAtMost(waitTimeout),
				new LocalStore(1_000, new ManualTicker()), scheduler, Runnable::run, null);
		CountDownLatch loadMayFinish = new CountDownLatch(1);
		Loader held = () -> {
			Herd.hold(loadMayFinish);
			return "v";
		};
		try (Herd herd = new Herd(3)) {
			Future<Object> leader = herd.add(() -> instance.call("k", held));
			herd.release();
			Herd.awaitFollowers(instance, "k", 0);
			long[] waited = new long[2];
			AtomicReferenceArray<Thread> followers = new AtomicReferenceArray<>(2);
			Future<Object> first = herd.add(() -> timed(waited, followers, 0, () -> instance.call("k", held)));
			Future<Object> second = herd.add(() -> timed(waited, followers, 1, () -> instance.call("k", held)));
			Awaitility.await("both followers started")
				.atMost(Herd.PATIENCE)
				.until(() -> followers.get(0) != null && followers.get(1) != null);
			Herd.awaitParkedFollowers(instance, "k", List.of(followers.get(0), followers.get(1)));
			assertThat(scheduler.timers(waitTimeout)).as("wait timers of the flight").hasSize(1);
			scheduler.timers(waitTimeout).get(0).fire();
			assertThatThrownBy(() -> Herd.result(first)).isInstanceOf(CollapseTimeoutException.class);
			assertThatThrownBy(() -> Herd.result(second)).isInstanceOf(CollapseTimeoutException.class);
			for (long nanos : waited) {
				assertThat(Duration.ofNanos(nanos)).as("a follower's wait").isGreaterThanOrEqualTo(waitTimeout);
			}
			// a caller arriving now still joins the load instead of loading again
			Future<Object> late = herd.add(() -> instance.call("k", held));
			Herd.awaitFollowers(instance, "k", 3);
			loadMayFinish.countDown();
			assertThat(Herd.result(leader)).isEqualTo("v");
			assertThat(Herd.result(late)).isEqualTo("v");
		}
		finally {
			scheduler.shutdownNow();
		}
		assertThat(instance.inflight()).isZero();
	}

	private static Object timed(long[] waited, AtomicReferenceArray<Thread> threads, int index,
			Herd.Caller<Object> call) throws Throwable {
		threads.set(index, Thread.currentThread());
		long start = System.nanoTime();
		try {
			return call.call();
		}
		finally {
			waited[index] = System.nanoTime() - start;
		}
	}

	@Test
	void interruptedFollowerStopsWaitingKeepsItsInterruptAndLeavesTheOthersAlone() throws Throwable {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		AtomicInteger loads = new AtomicInteger();
		CountDownLatch loadMayFinish = new CountDownLatch(1);
		Loader held = () -> {
			loads.incrementAndGet();
			Herd.hold(loadMayFinish);
			return "v";
		};
		AtomicReference<Thread> interruptedThread = new AtomicReference<>();
		AtomicBoolean flagKept = new AtomicBoolean();
		try (Herd herd = new Herd(3)) {
			Future<Object> leader = herd.add(() -> instance.call("k", held));
			herd.release();
			Herd.awaitFollowers(instance, "k", 0);
			Future<Object> other = herd.add(() -> instance.call("k", held));
			Herd.awaitFollowers(instance, "k", 1);
			Future<Object> interrupted = herd.add(() -> {
				interruptedThread.set(Thread.currentThread());
				try {
					return instance.call("k", held);
				}
				finally {
					flagKept.set(Thread.currentThread().isInterrupted());
				}
			});
			Herd.awaitFollowers(instance, "k", 2);
			interruptedThread.get().interrupt();
			assertThatThrownBy(() -> Herd.result(interrupted)).isInstanceOf(CollapseInterruptedException.class)
				.hasMessageContaining("'products'")
				.hasCauseInstanceOf(InterruptedException.class);
			assertThat(flagKept).as("interrupt status kept").isTrue();
			assertThat(leader).isNotDone();
			assertThat(other).isNotDone();
			loadMayFinish.countDown();
			assertThat(Herd.result(leader)).isEqualTo("v");
			assertThat(Herd.result(other)).isEqualTo("v");
		}
		assertThat(loads).hasValue(1);
	}

	@Test
	void waitingFollowersHoldNoMonitor() throws Throwable {
		// a virtual thread blocked while it holds a monitor pins its carrier (JDK 21 to 23)
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		CountDownLatch loadMayFinish = new CountDownLatch(1);
		Loader held = () -> {
			Herd.hold(loadMayFinish);
			return "v";
		};
		List<Thread> followers = new CopyOnWriteArrayList<>();
		List<Future<Object>> callers = new ArrayList<>();
		try (Herd herd = new Herd(11)) {
			callers.add(herd.add(() -> instance.call("k", held)));
			herd.release();
			Herd.awaitFollowers(instance, "k", 0);
			for (int i = 0; i < 10; i++) {
				callers.add(herd.add(() -> {
					followers.add(Thread.currentThread());
					return instance.call("k", held);
				}));
			}
			Herd.awaitParkedFollowers(instance, "k", followers);
			ThreadMXBean threads = ManagementFactory.getThreadMXBean();
			for (Thread follower : followers) {
				ThreadInfo info = threads.getThreadInfo(new long[] { follower.getId() }, true, false)[0];
				assertThat(info.getLockedMonitors()).as("monitors held by a waiting follower").isEmpty();
				// Object.wait releases its monitor while it waits, so look for it in the stack as well
				assertThat(info.getStackTrace()).as("a waiting follower's stack")
					.noneMatch((frame) -> frame.getClassName().equals("java.lang.Object") && frame.getMethodName().startsWith("wait"))
					.anyMatch((frame) -> frame.getClassName().equals("java.util.concurrent.locks.LockSupport"));
			}
			loadMayFinish.countDown();
			for (Future<Object> caller : callers) {
				assertThat(Herd.result(caller)).isEqualTo("v");
			}
		}
	}

	@Test
	void loadCallingItsOwnKeyFailsFastInsteadOfDeadlocking() {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		AtomicReference<Throwable> inner = new AtomicReference<>();
		Object outer = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> instance.call("k", () -> {
			try {
				return instance.call("k", () -> "inner");
			}
			catch (CollapseRecursionException ex) {
				inner.set(ex);
				return "outer";
			}
		}));
		assertThat(outer).isEqualTo("outer");
		assertThat(inner.get()).isInstanceOf(CollapseRecursionException.class).hasMessageContaining("'products'");
		assertThat(instance.inflight()).isZero();
	}

	@Test
	void loadCallingAnotherKeyOfItsInstanceIsNoRecursion() throws Throwable {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		Object value = assertTimeoutPreemptively(Duration.ofSeconds(10),
				() -> instance.call("outer", () -> "outer+" + instance.call("inner", () -> "inner")));
		assertThat(value).isEqualTo("outer+inner");
	}

	@Test
	void asyncLoadCallingItsOwnKeyFailsFast() {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		AtomicReference<CompletableFuture<Object>> inner = new AtomicReference<>();
		CompletableFuture<Object> outer = assertTimeoutPreemptively(Duration.ofSeconds(10),
				() -> instance.callAsync("k", () -> {
					inner.set(instance.callAsync("k", () -> CompletableFuture.completedFuture("inner")));
					return CompletableFuture.completedFuture("outer");
				}));
		assertThat(outer).succeedsWithin(Herd.PATIENCE).isEqualTo("outer");
		assertThat(inner.get()).failsWithin(Herd.PATIENCE)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(CollapseRecursionException.class);
	}

	@Test
	void cancellingOneCallersFutureNeverCancelsTheSharedLoadOrTheOthers() {
		CollapseInstance instance = this.registry.register("products", Registries.inFlightOnly());
		CompletableFuture<String> load = new CompletableFuture<>();
		AtomicInteger loads = new AtomicInteger();
		List<CompletableFuture<Object>> callers = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			callers.add(instance.callAsync("k", () -> {
				loads.incrementAndGet();
				return load;
			}));
		}
		assertThat(Herd.followers(instance, "k")).isEqualTo(9);
		assertThat(callers.get(0).cancel(true)).as("the leader's own future").isTrue();
		assertThat(callers.get(3).cancel(true)).as("a follower's future").isTrue();
		assertThat(load).isNotCancelled().isNotDone();
		assertThat(instance.inflight()).isOne();
		load.complete("v");
		for (int i = 0; i < 10; i++) {
			if (i == 0 || i == 3) {
				assertThat(callers.get(i)).isCancelled();
			}
			else {
				assertThat(callers.get(i)).succeedsWithin(Herd.PATIENCE).isEqualTo("v");
			}
		}
		assertThat(loads).hasValue(1);
		assertThat(instance.inflight()).isZero();
	}

	@Test
	void asyncFollowerTimesOutWhileTheOthersGetTheValue() {
		CollapseInstance instance = this.registry.register("slow", Registries.waitingAtMost(Duration.ofSeconds(1)));
		CompletableFuture<String> load = new CompletableFuture<>();
		CompletableFuture<Object> leader = instance.callAsync("k", () -> load);
		CompletableFuture<Object> follower = instance.callAsync("k", () -> load);
		assertThat(follower).failsWithin(Herd.PATIENCE)
			.withThrowableOfType(ExecutionException.class)
			.withCauseInstanceOf(CollapseTimeoutException.class);
		assertThat(load).isNotDone();
		CompletableFuture<Object> late = instance.callAsync("k", () -> load);
		load.complete("v");
		assertThat(leader).succeedsWithin(Herd.PATIENCE).isEqualTo("v");
		assertThat(late).succeedsWithin(Herd.PATIENCE).isEqualTo("v");
	}

	/**
	 * Regression: an asynchronous follower that cancelled its future left its timer scheduled
	 * until the wait timeout, one dead task per cancelled caller.
	 */
	@Test
	void cancellingAnAsyncFollowersFutureCancelsItsTimer() {
		HeldScheduler scheduler = new HeldScheduler();
		CollapseInstance instance = new CollapseInstance("slow", Registries.waitingAtMost(Duration.ofMinutes(5)),
				new LocalStore(1_000, new ManualTicker()), scheduler, Runnable::run, null);
		try {
			CompletableFuture<String> load = new CompletableFuture<>();
			CompletableFuture<Object> leader = instance.callAsync("k", () -> load);
			CompletableFuture<Object> cancelled = instance.callAsync("k", () -> load);
			CompletableFuture<Object> waiting = instance.callAsync("k", () -> load);
			List<HeldScheduler.Timer> timers = scheduler.timers(Duration.ofMinutes(5));
			assertThat(timers).as("one timer per asynchronous follower").hasSize(2);
			ScheduledFuture<?> cancelledTimer = timers.get(0).future();
			ScheduledFuture<?> waitingTimer = timers.get(1).future();
			assertThat(cancelled.cancel(true)).isTrue();
			assertThat(cancelledTimer.isCancelled()).as("the cancelled follower's timer").isTrue();
			assertThat(waitingTimer.isCancelled()).as("the other follower's timer").isFalse();
			assertThat(load).isNotDone();
			load.complete("v");
			assertThat(leader).succeedsWithin(Herd.PATIENCE).isEqualTo("v");
			assertThat(waiting).succeedsWithin(Herd.PATIENCE).isEqualTo("v");
			assertThat(waitingTimer.isCancelled()).as("a served follower's timer").isTrue();
		}
		finally {
			scheduler.shutdownNow();
		}
	}

	/**
	 * Regression: once the registry was closed, an asynchronous follower's timer was refused and
	 * callAsync threw RejectedExecutionException at its caller instead of returning a future.
	 */
	@Test
	void asyncFollowerOfAClosedRegistryGetsAFailedFutureNotAThrownException() {
		CollapseInstance instance = this.registry.register("closing", Registries.inFlightOnly());
		CompletableFuture<String> load = new CompletableFuture<>();
		CompletableFuture<Object> leader = instance.callAsync("k", () -> load);
		this.registry.close();
		CompletableFuture<Object> follower = instance.callAsync("k", () -> load);
		assertThat(follower).failsWithin(Herd.PATIENCE)
			.withThrowableOfType(ExecutionException.class)
			.havingCause()
			.isInstanceOf(CollapseException.class)
			.withMessageContaining("'closing'")
			.withMessageContaining("scheduler is shut down")
			.withCauseInstanceOf(RejectedExecutionException.class);
		load.complete("v");
		assertThat(leader).as("the load goes on for its leader").succeedsWithin(Herd.PATIENCE).isEqualTo("v");
		assertThat(instance.inflight()).isZero();
	}

	@Test
	void asyncExceptionReachesEveryCallerAndIsNotCached() throws Exception {
		CollapseInstance instance = this.registry.register("products",
				Registries.caching(Duration.ofMinutes(5), Jitter.NONE, true));
		CompletableFuture<String> load = new CompletableFuture<>();
		List<CompletableFuture<Object>> callers = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			callers.add(instance.callAsync("k", () -> load));
		}
		IllegalStateException failure = new IllegalStateException("upstream down");
		load.completeExceptionally(failure);
		for (CompletableFuture<Object> caller : callers) {
			assertThatThrownBy(() -> caller.get(Herd.PATIENCE.toSeconds(), TimeUnit.SECONDS))
				.hasCauseReference(failure);
		}
		assertThat(instance.callAsync("k", () -> CompletableFuture.completedFuture("recovered")))
			.succeedsWithin(Herd.PATIENCE)
			.isEqualTo("recovered");
	}

}
