package dev.collapse.metrics;

import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.common.KeyValue;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.tck.TestObservationRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.core.CollapseInstance;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.CollapseTimeoutException;
import dev.collapse.core.Jitter;
import dev.collapse.core.LocalStore;
import dev.collapse.core.RetrySettings;

import static io.micrometer.observation.tck.TestObservationRegistryAssert.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class CollapseObservationListenerTest {

	private static final int CALLERS = 12;

	private final TestObservationRegistry observations = TestObservationRegistry.create();

	/** Contexts of the observations that were stopped, in the order they stopped. */
	private final Queue<Observation.Context> stopped = new ConcurrentLinkedQueue<>();

	{
		this.observations.observationConfig().observationHandler(new ObservationHandler<>() {
			@Override
			public boolean supportsContext(Observation.Context context) {
				return true;
			}

			@Override
			public void onStop(Observation.Context context) {
				CollapseObservationListenerTest.this.stopped.add(context);
			}
		});
	}

	private final Herds herds = new Herds();

	private final CollapseRegistry registry = new CollapseRegistry(new LocalStore(1000, System::nanoTime),
			(name) -> settings(Duration.ofSeconds(10)),
			List.of(new CollapseObservationListener(this.observations), this.herds), null);

	@AfterEach
	void close() {
		this.registry.close();
	}

	@Test
	void herdIsOneLeaderObservationAndOneFollowerObservationPerWaitingCaller() throws Exception {
		CollapseInstance products = this.registry.register("products", settings(Duration.ofSeconds(10)));
		this.herds.run(products, "key-4711", CALLERS, "value-0815", null);

		assertThat(this.observations).hasNumberOfObservationsWithNameEqualTo(CollapseObservationListener.LEADER, 1)
			.hasNumberOfObservationsWithNameEqualTo(CollapseObservationListener.FOLLOWER, CALLERS - 1)
			.forAllObservationsWithNameEqualTo(CollapseObservationListener.LEADER,
					(leader) -> leader.hasLowCardinalityKeyValue("name", "products")
						.hasLowCardinalityKeyValue("outcome", "success")
						.hasLowCardinalityKeyValue("result", "leader")
						.hasContextualNameEqualTo("collapse load products")
						.doesNotHaveError())
			.forAllObservationsWithNameEqualTo(CollapseObservationListener.FOLLOWER,
					(follower) -> follower.hasLowCardinalityKeyValue("name", "products")
						.hasLowCardinalityKeyValue("outcome", "success")
						.hasLowCardinalityKeyValue("result", "follower"));
		assertThat(this.stopped).hasSize(CALLERS).allSatisfy((context) -> {
			assertThat(context.getAllKeyValues().stream().map(KeyValue::getValue)).doesNotContain("key-4711",
					"value-0815");
		});
	}

	@Test
	void loadRunsWithItsObservationCurrentSoThatUpstreamSpansNestUnderIt() throws Throwable {
		CollapseInstance products = this.registry.register("products", settings(Duration.ofSeconds(10)));
		AtomicReference<Observation> current = new AtomicReference<>();
		products.call("k", () -> {
			current.set(this.observations.getCurrentObservation());
			return "v";
		});
		assertThat(current.get()).isNotNull();
		assertThat(current.get().getContext().getName()).isEqualTo(CollapseObservationListener.LEADER);
		assertThat(this.observations.getCurrentObservation()).isNull();
	}

	@Test
	void asyncLoadRunsItsSynchronousPartWithItsObservationCurrent() throws Exception {
		CollapseInstance products = this.registry.register("products", settings(Duration.ofSeconds(10)));
		AtomicReference<Observation> current = new AtomicReference<>();
		CompletableFuture<Object> upstream = new CompletableFuture<>();
		CompletableFuture<Object> result = products.callAsync("k", () -> {
			current.set(this.observations.getCurrentObservation());
			return upstream;
		});
		assertThat(current.get().getContext().getName()).isEqualTo(CollapseObservationListener.LEADER);
		assertThat(this.observations.getCurrentObservation()).isNull();
		assertThat(this.observations).hasObservationWithNameEqualTo(CollapseObservationListener.LEADER)
			.that()
			.isNotStopped();
		upstream.complete("v");
		assertThat(result.get(5, TimeUnit.SECONDS)).isEqualTo("v");
		assertThat(this.observations).hasObservationWithNameEqualTo(CollapseObservationListener.LEADER)
			.that()
			.hasBeenStopped()
			.hasLowCardinalityKeyValue("outcome", "success");
	}

	@Test
	void failedLoadIsAnErrorOnEveryObservation() throws Exception {
		CollapseInstance products = this.registry.register("products", settings(Duration.ofSeconds(10)));
		IllegalStateException boom = new IllegalStateException("upstream down");
		this.herds.run(products, "k", 3, null, boom);

		assertThat(this.observations)
			.forAllObservationsWithNameEqualTo(CollapseObservationListener.LEADER,
					(leader) -> leader.hasLowCardinalityKeyValue("outcome", "error").hasError(boom))
			.forAllObservationsWithNameEqualTo(CollapseObservationListener.FOLLOWER,
					(follower) -> follower.hasLowCardinalityKeyValue("outcome", "error")
						.hasLowCardinalityKeyValue("result", "follower")
						.hasError(boom));
	}

	@Test
	void followerThatTimesOutIsStoppedWithResultNone() throws Exception {
		CollapseInstance products = this.registry.register("products", settings(Duration.ofMillis(50)));
		CountDownLatch release = new CountDownLatch(1);
		CountDownLatch loading = new CountDownLatch(1);
		Thread leader = new Thread(() -> {
			try {
				products.call("k", () -> {
					loading.countDown();
					release.await(10, TimeUnit.SECONDS);
					return "v";
				});
			}
			catch (Throwable ex) {
				// asserted through the observations
			}
		});
		leader.start();
		assertThat(loading.await(5, TimeUnit.SECONDS)).isTrue();
		assertThatExceptionOfType(CollapseTimeoutException.class).isThrownBy(() -> products.call("k", () -> "never"));
		release.countDown();
		leader.join(5_000);

		assertThat(this.stopped).filteredOn((context) -> context.getName().equals(CollapseObservationListener.FOLLOWER))
			.hasSize(1);
		assertThat(this.observations).forAllObservationsWithNameEqualTo(CollapseObservationListener.FOLLOWER,
				(follower) -> follower.hasLowCardinalityKeyValue("result", "none")
					.hasLowCardinalityKeyValue("outcome", "error"));
	}

	private static CollapseSettings settings(Duration waitTimeout) {
		return new CollapseSettings(Duration.ZERO, Jitter.NONE, waitTimeout, true, 0, RetrySettings.NONE, Duration.ZERO);
	}

}
