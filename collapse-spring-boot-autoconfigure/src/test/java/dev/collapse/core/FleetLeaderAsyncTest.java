package dev.collapse.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.core.spi.DistributedCoordinator;
import dev.collapse.core.spi.DistributedCoordinator.Outcome;
import dev.collapse.core.spi.DistributedUnavailableException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An asynchronous leader through the fleet, against a coordinator whose calls the test answers:
 * the load starts and the outcome settles on the instance's executor, never on the thread that
 * completes the coordinator's future (an I/O thread of the layer, say); the load's value reaches
 * the flight before the fleet has it; whatever settling throws completes the flight; a layer
 * unavailable before the load makes the caller lead in its JVM.
 */
class FleetLeaderAsyncTest {

	private final HeldCoordinator coordinator = new HeldCoordinator();

	/** Armed by a test: the next onLeaseLost throws the JVM's own Error, once. */
	private final AtomicBoolean failOnLeaseLost = new AtomicBoolean();

	private final AtomicInteger fallbacks = new AtomicInteger();

	private final CollapseRegistry registry = new CollapseRegistry(new LocalStore(100, System::nanoTime),
			(name) -> new CollapseSettings(Duration.ZERO, Jitter.NONE, Duration.ofSeconds(5), true, 0,
					RetrySettings.NONE, Duration.ZERO),
			List.of((view) -> new InstanceEvents() {
				@Override
				public void onLeaseLost() {
					if (FleetLeaderAsyncTest.this.failOnLeaseLost.compareAndSet(true, false)) {
						throw new OutOfMemoryError("unable to create native thread");
					}
				}

				@Override
				public void onFallback() {
					FleetLeaderAsyncTest.this.fallbacks.incrementAndGet();
				}
			}), null, TestCoordinator.layer(this.coordinator));

	private final CollapseInstance instance = this.registry.instance("products", String.class);

	@AfterEach
	void close() {
		this.registry.close();
	}

	@Test
	void aFleetOutcomeSettlesOnTheInstancesExecutorNotOnTheThreadThatCompletesIt() throws Exception {
		AtomicReference<String> settledOn = new AtomicReference<>();
		CompletableFuture<@Nullable Object> caller = this.instance.callAsync("k", FleetLeaderAsyncTest::never)
			.whenComplete((value, failure) -> settledOn.set(Thread.currentThread().getName()));
		Call call = this.coordinator.next();
		completeOnThread("layer-io", () -> call.outcome().complete(hit("remote value")));
		assertThat(caller.get(5, TimeUnit.SECONDS)).isEqualTo("remote value");
		assertThat(settledOn.get()).startsWith("collapse-exec-");
		assertThat(this.instance.inflight()).isZero();
	}

	@Test
	void theLoadStartsOnTheInstancesExecutorAndItsValueReachesFollowersBeforeTheFleetHasIt() throws Exception {
		AtomicReference<String> startedOn = new AtomicReference<>();
		CompletableFuture<Object> upstream = new CompletableFuture<>();
		CompletableFuture<@Nullable Object> leader = this.instance.callAsync("k", () -> {
			startedOn.set(Thread.currentThread().getName());
			return upstream;
		});
		Call call = this.coordinator.next();
		AtomicReference<java.util.concurrent.CompletionStage<?>> load = new AtomicReference<>();
		completeOnThread("layer-step", () -> {
			try {
				load.set(call.load().load());
			}
			catch (Throwable ex) {
				throw new AssertionError(ex);
			}
		});
		CompletableFuture<@Nullable Object> follower = this.instance.callAsync("k", FleetLeaderAsyncTest::never);
		upstream.complete("loaded");
		// the fleet has not answered yet: the flight was handed the value when the load ended
		assertThat(follower.get(5, TimeUnit.SECONDS)).isEqualTo("loaded");
		assertThat(load.get().toCompletableFuture().get(5, TimeUnit.SECONDS)).isEqualTo("loaded");
		assertThat(startedOn.get()).startsWith("collapse-exec-");
		call.outcome().complete(new Outcome("loaded", CallResult.LEADER, 1, 0, false, null));
		assertThat(leader.get(5, TimeUnit.SECONDS)).isEqualTo("loaded");
	}

	@Test
	void theJvmsErrorThrownWhileSettlingStillCompletesTheFlight() throws Exception {
		CompletableFuture<@Nullable Object> caller = this.instance.callAsync("k", FleetLeaderAsyncTest::never);
		Call call = this.coordinator.next();
		this.failOnLeaseLost.set(true);
		// reported before the flight completes: the Error thrown there must complete it
		call.outcome().complete(new Outcome("v", CallResult.LEADER, 1, 0, true, null));
		assertThatThrownBy(() -> caller.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(OutOfMemoryError.class);
		assertThat(this.instance.inflight()).isZero();
	}

	@Test
	void aLayerUnavailableBeforeTheLoadMakesTheCallerLeadInItsJvm() throws Exception {
		CompletableFuture<@Nullable Object> caller = this.instance.callAsync("k",
				() -> CompletableFuture.completedFuture("local"));
		this.coordinator.next().outcome().completeExceptionally(new DistributedUnavailableException("down", null));
		assertThat(caller.get(5, TimeUnit.SECONDS)).isEqualTo("local");
		assertThat(this.fallbacks).hasValue(1);
	}

	@Test
	void aFleetFailureReachesTheCallerAndFreesTheKey() throws Exception {
		CompletableFuture<@Nullable Object> caller = this.instance.callAsync("k", FleetLeaderAsyncTest::never);
		this.coordinator.next().outcome().completeExceptionally(new CollapseTimeoutException("products",
				Duration.ofSeconds(5)));
		assertThatThrownBy(() -> caller.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(CollapseTimeoutException.class);
		assertThat(this.instance.inflight()).isZero();
	}

	private static Outcome hit(Object value) {
		return new Outcome(value, CallResult.HIT, 0, 0, false, "v1");
	}

	private static CompletableFuture<Object> never() {
		throw new AssertionError("this load must not run");
	}

	private static void completeOnThread(String name, Runnable completion) throws InterruptedException {
		Thread thread = new Thread(completion, name);
		thread.start();
		thread.join(TimeUnit.SECONDS.toMillis(5));
	}

	/** One call of {@link DistributedCoordinator#serveAsync}, answered by the test. */
	record Call(Object key, AsyncLoader load, CompletableFuture<Outcome> outcome) {
	}

	/** Keeps each asynchronous call for the test to answer; nothing else is used. */
	static final class HeldCoordinator extends TestCoordinator {

		private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();

		Call next() throws InterruptedException {
			Call call = this.calls.poll(5, TimeUnit.SECONDS);
			assertThat(call).as("a call of serveAsync").isNotNull();
			return call;
		}

		@Override
		public boolean available() {
			return true;
		}

		@Override
		public Outcome serve(Object key, Loader load, long waitNanos) {
			throw new UnsupportedOperationException("synchronous calls are not used here");
		}

		@Override
		public CompletableFuture<Outcome> serveAsync(Object key, AsyncLoader load, long waitNanos) {
			Call call = new Call(key, load, new CompletableFuture<>());
			this.calls.add(call);
			return call.outcome();
		}

	}

}
