package dev.collapse.schedule;

import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Method;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import dev.collapse.core.AsyncLoader;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.CollapseTimeoutException;
import dev.collapse.core.Jitter;
import dev.collapse.core.Loader;
import dev.collapse.core.LocalStore;
import dev.collapse.core.RetrySettings;
import dev.collapse.core.TestCoordinator;
import dev.collapse.schedule.ScheduledJobs.Outcome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A once-per-fleet job against a fleet played by the test: what a node does with a fire time that
 * another node held when it gave up waiting.
 */
class OncePerFleetJobTest {

	private static final Instant HELD = Instant.parse("2026-12-02T10:00:00Z");

	private static final Instant NEXT = Instant.parse("2026-12-02T10:01:00Z");

	private final FleetOfOthers fleet = new FleetOfOthers();

	private final CollapseRegistry registry = new CollapseRegistry(new LocalStore(100, System::nanoTime),
			(name) -> settings(), List.of(), null, TestCoordinator.layer(this.fleet));

	private final ScheduledJobs.Job job = new ScheduledJobs(List.of()).register("cleanup", "0 * * * * *");

	private final OncePerFleetJob once = new OncePerFleetJob(this.registry.register("cleanup", settings(), String.class),
			this.job);

	private final AtomicInteger runs = new AtomicInteger();

	@AfterEach
	void close() {
		this.registry.close();
	}

	private static CollapseSettings settings() {
		return new CollapseSettings(Duration.ofMinutes(2), Jitter.NONE, Duration.ofMillis(100), true, 0.0,
				RetrySettings.NONE, Duration.ZERO, Duration.ofMinutes(1));
	}

	/**
	 * Redis down: the check of a fire time another node held falls back to this JVM, which has no
	 * marker of a run it never saw. That is no sign that the run was lost: it stays unsettled,
	 * and is not counted lost (on every node that waited) nor logged.
	 */
	@Test
	void aFireTimeHeldElsewhereIsNotCountedLostWhileRedisIsDown() throws Throwable {
		this.once.fire(HELD, invocation());
		assertThat(this.job.count(Outcome.SKIPPED)).isEqualTo(1);
		assertThat(this.job.unsettled()).containsExactly(HELD);

		this.fleet.available = false;
		this.once.fire(NEXT, invocation());

		// without Redis the node runs its own fire time, as documented
		assertThat(this.runs).hasValue(1);
		assertThat(this.job.count(Outcome.LOST)).as("counted lost").isZero();
		assertThat(this.job.lastLost()).isNull();
		assertThat(this.job.unsettled()).containsExactly(HELD);
	}

	private MethodInvocation invocation() {
		return new MethodInvocation() {

			@Override
			public Method getMethod() {
				throw new UnsupportedOperationException();
			}

			@Override
			public Object[] getArguments() {
				return new Object[0];
			}

			@Override
			public @Nullable Object proceed() {
				OncePerFleetJobTest.this.runs.incrementAndGet();
				return null;
			}

			@Override
			public @Nullable Object getThis() {
				return null;
			}

			@Override
			public AccessibleObject getStaticPart() {
				throw new UnsupportedOperationException();
			}

		};
	}

	/** Other nodes hold every fire time this node asks for, until Redis is down. */
	static final class FleetOfOthers extends TestCoordinator {

		volatile boolean available = true;

		@Override
		public boolean available() {
			return this.available;
		}

		@Override
		public Outcome serve(Object key, Loader load, long waitNanos) {
			throw new CollapseTimeoutException("cleanup", Duration.ofNanos(waitNanos));
		}

		@Override
		public CompletableFuture<Outcome> serveAsync(Object key, AsyncLoader load, long waitNanos) {
			throw new UnsupportedOperationException("jobs call synchronously");
		}

	}

}
