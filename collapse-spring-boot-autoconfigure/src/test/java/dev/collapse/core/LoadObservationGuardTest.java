package dev.collapse.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The load-observation seam: a listener whose observation throws never breaks a load. */
class LoadObservationGuardTest {

	private final AtomicInteger stopped = new AtomicInteger();

	/** Throws from every hook it has. */
	private final CollapseListener throwing = (instance) -> new InstanceEvents() {
		@Override
		public LoadObservation startLoad() {
			return new LoadObservation() {
				@Override
				public Scope openScope() {
					throw new IllegalStateException("broken observation");
				}

				@Override
				public void stop(CallResult result, Throwable failure) {
					throw new IllegalStateException("broken observation");
				}
			};
		}

		@Override
		public LoadObservation startWait() {
			throw new IllegalStateException("broken observation");
		}
	};

	/** Counts stops, to prove the others still see every load. */
	private final CollapseListener counting = (instance) -> new InstanceEvents() {
		@Override
		public LoadObservation startLoad() {
			return new LoadObservation() {
				@Override
				public void stop(CallResult result, Throwable failure) {
					LoadObservationGuardTest.this.stopped.incrementAndGet();
				}
			};
		}
	};

	@Test
	void observationThatThrowsAloneNeverBreaksALoad() throws Throwable {
		try (CollapseRegistry registry = registry(List.of(this.throwing))) {
			CollapseInstance instance = registry.instance("products");
			assertThat(instance.call("k", () -> "v")).isEqualTo("v");
			assertThat(instance.callAsync("k2", () -> CompletableFuture.completedFuture("v2")).get(5, TimeUnit.SECONDS))
				.isEqualTo("v2");
			assertThat(instance.inflight()).isZero();
		}
	}

	@Test
	void observationThatThrowsDoesNotStopTheOthers() throws Throwable {
		try (CollapseRegistry registry = registry(List.of(this.throwing, this.counting))) {
			CollapseInstance instance = registry.instance("products");
			assertThat(instance.call("k", () -> "v")).isEqualTo("v");
			assertThat(this.stopped).hasValue(1);
		}
	}

	private static CollapseRegistry registry(List<CollapseListener> listeners) {
		return new CollapseRegistry(new LocalStore(100, System::nanoTime),
				(name) -> CollapseSettings.inFlightOnly(Duration.ofSeconds(5)), listeners, null);
	}

}
