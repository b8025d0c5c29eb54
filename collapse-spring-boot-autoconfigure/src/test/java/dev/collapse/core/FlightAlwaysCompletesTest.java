package dev.collapse.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A flight completes whatever its leader's flow throws outside the load: the JVM's own Error
 * thrown by a listener while a follower waits reaches the leader's caller and the follower, and
 * leaves no flight behind; a listener's other Errors do not break the call at all.
 */
class FlightAlwaysCompletesTest {

	/** The JVM's own failure: listeners' guards let it through, so only the leader's guard is left. */
	private static final String NO_THREAD = "unable to create native thread";

	/** Where the listener throws, in the order the leader's flow reaches them. */
	enum Hook {

		START_LOAD, ON_LOAD, OBSERVATION_STOP, ON_RETRY

	}

	private final ExecutorService pool = Executors.newCachedThreadPool();

	/** Opened by the listener once the leader's thread is held at the hook. */
	private final CountDownLatch held = new CountDownLatch(1);

	/** Opened by the test once the follower waits: the hook then throws. */
	private final CountDownLatch release = new CountDownLatch(1);

	/** Armed for one throw only, so that the next call of the key runs undisturbed. */
	private final AtomicBoolean armed = new AtomicBoolean(true);

	@AfterEach
	void stopPool() {
		this.release.countDown();
		this.pool.shutdownNow();
	}

	@ParameterizedTest
	@EnumSource(value = Hook.class, mode = EnumSource.Mode.EXCLUDE, names = "ON_RETRY")
	void syncLeaderCompletesItsFlightWhenAListenerThrowsTheJvmsError(Hook hook) throws Throwable {
		try (CollapseRegistry registry = registry(hook, RetrySettings.NONE)) {
			CollapseInstance instance = registry.instance("products");
			CompletableFuture<@Nullable Object> leader = CompletableFuture.supplyAsync(() -> call(instance), this.pool);
			assertThat(this.held.await(Herd.PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
			CompletableFuture<@Nullable Object> follower = CompletableFuture.supplyAsync(() -> call(instance), this.pool);
			awaitFollower(instance);
			this.release.countDown();

			assertFailsWithNoThread(leader);
			assertFailsWithNoThread(follower);
			assertThat(instance.inflight()).isZero();
			assertThat(instance.call("k", () -> "fresh")).isEqualTo("fresh");
		}
	}

	@ParameterizedTest
	@EnumSource(value = Hook.class, mode = EnumSource.Mode.EXCLUDE, names = "ON_RETRY")
	void asyncLeaderCompletesItsFlightWhenAListenerThrowsTheJvmsError(Hook hook) throws Throwable {
		// the load completes on a thread of the pool: onLoad and stop are held there
		assertAsyncFlightCompletes(hook, RetrySettings.NONE, () -> CompletableFuture.supplyAsync(() -> "v", this.pool));
	}

	@Test
	void asyncLeaderCompletesItsFlightWhenTheRetryDecisionThrows() throws Throwable {
		RetrySettings twice = RetrySettings.of(2, Duration.ofMillis(1), Duration.ofMillis(1));
		assertAsyncFlightCompletes(Hook.ON_RETRY, twice, () -> CompletableFuture.supplyAsync(() -> {
			throw new IllegalStateException("upstream down");
		}, this.pool));
	}

	/**
	 * An asynchronous leader held at {@code hook} while a follower attaches: both get the Error,
	 * no flight is left, the next call of the key loads.
	 */
	private void assertAsyncFlightCompletes(Hook hook, RetrySettings retry, AsyncLoader load) throws Throwable {
		try (CollapseRegistry registry = registry(hook, retry)) {
			CollapseInstance instance = registry.instance("products");
			CompletableFuture<@Nullable Object> leader = CompletableFuture
				.supplyAsync(() -> instance.callAsync("k", load), this.pool)
				.thenCompose((mine) -> mine);
			assertThat(this.held.await(Herd.PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
			CompletableFuture<@Nullable Object> follower = instance.callAsync("k", load);
			awaitFollower(instance);
			this.release.countDown();

			assertFailsWithNoThread(leader);
			assertFailsWithNoThread(follower);
			assertThat(instance.inflight()).isZero();
			assertThat(instance.callAsync("k", () -> CompletableFuture.completedFuture("fresh")).get(5, TimeUnit.SECONDS))
				.isEqualTo("fresh");
		}
	}

	@Test
	void listenerErrorOtherThanTheJvmsNeverBreaksACall() throws Throwable {
		CollapseListener linkageBroken = (view) -> new InstanceEvents() {
			@Override
			public void onCall(CallResult result) {
				throw new NoSuchMethodError("listener built against another version");
			}

			@Override
			public void onLoad(boolean success, long nanos) {
				throw new NoSuchMethodError("listener built against another version");
			}

			@Override
			public LoadObservation startLoad() {
				throw new NoSuchMethodError("listener built against another version");
			}
		};
		try (CollapseRegistry registry = new CollapseRegistry(new LocalStore(100, System::nanoTime),
				(name) -> CollapseSettings.inFlightOnly(Duration.ofSeconds(5)), List.of(linkageBroken), null)) {
			CollapseInstance instance = registry.instance("products");
			assertThat(instance.call("k", () -> "v")).isEqualTo("v");
			assertThat(instance.callAsync("k", () -> CompletableFuture.completedFuture("v2")).get(5, TimeUnit.SECONDS))
				.isEqualTo("v2");
			assertThat(instance.inflight()).isZero();
		}
	}

	private @Nullable Object call(CollapseInstance instance) {
		try {
			return instance.call("k", () -> {
				return "v";
			});
		}
		catch (Throwable ex) {
			throw new WrappedFailure(ex);
		}
	}

	private static void awaitFollower(CollapseInstance instance) {
		await().atMost(Herd.PATIENCE).until(() -> instance.followers("k") == 1);
	}

	/** The caller got the Error, from the flight: not a wait timeout. */
	private static void assertFailsWithNoThread(CompletableFuture<@Nullable Object> caller) {
		assertThatThrownBy(() -> caller.get(Herd.PATIENCE.toSeconds(), TimeUnit.SECONDS))
			.isInstanceOf(ExecutionException.class)
			.satisfies((ex) -> {
				Throwable cause = Flight.unwrap(ex);
				if (cause instanceof WrappedFailure wrapped) {
					cause = wrapped.getCause();
				}
				assertThat(cause).isInstanceOf(OutOfMemoryError.class).hasMessage(NO_THREAD);
			});
	}

	/** Holds the leader at {@code hook} until the follower waits, then throws the JVM's own Error once. */
	private CollapseRegistry registry(Hook hook, RetrySettings retry) {
		CollapseListener listener = (view) -> new InstanceEvents() {
			@Override
			public LoadObservation startLoad() {
				throwAt(hook, Hook.START_LOAD);
				return new LoadObservation() {
					@Override
					public void stop(@Nullable CallResult result, @Nullable Throwable failure) {
						throwAt(hook, Hook.OBSERVATION_STOP);
					}
				};
			}

			@Override
			public void onLoad(boolean success, long nanos) {
				throwAt(hook, Hook.ON_LOAD);
			}

			@Override
			public void onRetry() {
				throwAt(hook, Hook.ON_RETRY);
			}
		};
		CollapseSettings settings = new CollapseSettings(Duration.ZERO, Jitter.NONE, Duration.ofSeconds(5), true, 0,
				retry, Duration.ZERO);
		return new CollapseRegistry(new LocalStore(100, System::nanoTime), (name) -> settings, List.of(listener),
				null);
	}

	private void throwAt(Hook hook, Hook here) {
		if (hook != here || !this.armed.compareAndSet(true, false)) {
			return;
		}
		this.held.countDown();
		try {
			if (!this.release.await(Herd.PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
				throw new AssertionError("the follower never attached");
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		throw new OutOfMemoryError(NO_THREAD);
	}

	/** Carries a caller's exception out of a supplier. */
	private static final class WrappedFailure extends RuntimeException {

		WrappedFailure(Throwable cause) {
			super(cause);
		}

	}

}
