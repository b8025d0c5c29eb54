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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.collapse.core.AsyncLoader;
import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.CollapseSettings;
import dev.collapse.core.CollapseTimeoutException;
import dev.collapse.core.Jitter;
import dev.collapse.core.Loader;
import dev.collapse.core.LocalStore;
import dev.collapse.core.RetrySettings;
import dev.collapse.core.TestCoordinator;
import dev.collapse.oauth2.TestClock;
import dev.collapse.schedule.ScheduledJobs.Outcome;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A once-per-fleet job against a fleet played by the test: what a node does with a fire time that
 * another node held when it gave up waiting.
 */
class OncePerFleetJobTest {

	/** A fire time; a completion, if the fleet stored one, is kept two minutes (the settings' ttl). */
	private static final Instant HELD = Instant.parse("2026-12-02T10:00:00Z");

	private static final Instant NEXT = HELD.plusSeconds(60);

	private final FleetOfOthers fleet = new FleetOfOthers();

	private final CollapseRegistry registry = new CollapseRegistry(new LocalStore(100, System::nanoTime),
			(name) -> settings(), List.of(), null, TestCoordinator.layer(this.fleet));

	private final ScheduledJobs.Job job = new ScheduledJobs(List.of()).register("cleanup", "0 * * * * *");

	/** This node's wall clock, moved by the tests. */
	private final TestClock now = new TestClock();

	private final OncePerFleetJob once = new OncePerFleetJob(this.registry.register("cleanup", settings(), String.class),
			this.job, this.now);

	private final AtomicInteger runs = new AtomicInteger();

	@BeforeEach
	void startAtTheFirstFireTime() {
		this.now.set(HELD);
	}

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

	/**
	 * A node that checks a fire time only after its completion could have expired (its scheduler
	 * thread held longer than the keep since it last found the fire time held) cannot tell a run
	 * that completed from a lost one: it drops the fire time, and never counts a completed run lost.
	 */
	@Test
	void aFireTimeCheckedAfterItsCompletionCouldExpireIsDroppedNotCountedLost() throws Throwable {
		this.once.fire(HELD, invocation());
		// still held a minute later, at the next fire: the run goes on
		this.now.set(NEXT);
		this.once.fire(NEXT, invocation());
		assertThat(this.job.unsettled()).containsExactly(HELD, NEXT);

		// this node's next fire comes three minutes later (its scheduler thread was held), and the
		// fleet has neither lease nor completion of either: completions are kept two minutes
		Instant late = NEXT.plus(Duration.ofMinutes(3));
		this.now.set(late);
		this.fleet.holds = false;
		this.once.fire(late, invocation());

		assertThat(this.job.count(Outcome.LOST)).as("counted lost").isZero();
		assertThat(this.job.unsettled()).isEmpty();
		assertThat(this.runs).as("the late fire time ran here").hasValue(1);
	}

	/** A run found held at each fire is still found lost once its lease is gone, however long it ran. */
	@Test
	void aLongRunFoundHeldAtEachFireIsCountedLostOnceItsLeaseIsGone() throws Throwable {
		Instant fire = HELD;
		this.once.fire(fire, invocation());
		for (int i = 0; i < 5; i++) {
			fire = fire.plus(Duration.ofMinutes(1));
			this.now.set(fire);
			this.once.fire(fire, invocation());
		}
		// the node running it died: the fire times after it run here again
		this.fleet.holds = false;
		fire = fire.plus(Duration.ofMinutes(1));
		this.now.set(fire);
		this.once.fire(fire, invocation());

		assertThat(this.job.count(Outcome.LOST)).as("each fire time held, then found without a completion")
			.isEqualTo(6);
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

	/**
	 * Other nodes hold every fire time this node asks for, until Redis is down, or until they
	 * hold none: then this node leads each key, with nothing stored before.
	 */
	static final class FleetOfOthers extends TestCoordinator {

		volatile boolean available = true;

		volatile boolean holds = true;

		@Override
		public boolean available() {
			return this.available;
		}

		@Override
		public Outcome serve(Object key, Loader load, long waitNanos) throws Throwable {
			if (this.holds) {
				throw new CollapseTimeoutException("cleanup", Duration.ofNanos(waitNanos));
			}
			return new Outcome(load.load(), CallResult.LEADER, 0, 0, false, null);
		}

		@Override
		public CompletableFuture<Outcome> serveAsync(Object key, AsyncLoader load, long waitNanos) {
			throw new UnsupportedOperationException("jobs call synchronously");
		}

	}

}
