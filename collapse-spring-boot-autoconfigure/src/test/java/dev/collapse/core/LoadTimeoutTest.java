package dev.collapse.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A hung load does not hold its key for ever: past its load timeout the key is released, the
 * next caller starts a new load, the hung load's late result is stored nowhere and the release is
 * counted once. The timers run on a held scheduler and are fired by the test, so no test waits
 * for a real timeout.
 */
class LoadTimeoutTest {

	private static final Duration LOAD_TIMEOUT = Duration.ofSeconds(60);

	private static final Duration WAIT_TIMEOUT = Duration.ofSeconds(10);

	/** The sweep of overdue loads runs every quarter of the load timeout, at most every 250 ms. */
	private static final Duration SWEEP = Duration.ofMillis(250);

	private final HeldScheduler scheduler = new HeldScheduler();

	private final ManualTicker ticker = new ManualTicker();

	private final RecordingEvents events = new RecordingEvents();

	private final CollapseInstance instance = new CollapseInstance("hung",
			new CollapseSettings(Duration.ofMinutes(5), Jitter.NONE, WAIT_TIMEOUT, true, 0, RetrySettings.NONE,
					Duration.ZERO, LOAD_TIMEOUT),
			new LocalStore(1_000, this.ticker), this.scheduler, Runnable::run, null);

	private final AtomicInteger loads = new AtomicInteger();

	private final CountDownLatch hungLoadMayEnd = new CountDownLatch(1);

	LoadTimeoutTest() {
		this.instance.bind(this.events);
	}

	@AfterEach
	void close() {
		this.hungLoadMayEnd.countDown();
		this.scheduler.shutdownNow();
	}

	/** The first load hangs until the test lets it end with "late"; every later one returns "fresh". */
	private Object load() {
		if (this.loads.incrementAndGet() == 1) {
			Herd.hold(this.hungLoadMayEnd);
			return "late";
		}
		return "fresh";
	}

	/** Lets the load timeout pass, then runs the instance's sweep of overdue loads once. */
	private void fireLoadTimeout() {
		this.ticker.advance(LOAD_TIMEOUT);
		List<HeldScheduler.Timer> sweeps = this.scheduler.periodic(SWEEP);
		assertThat(sweeps).as("the sweep of overdue loads").hasSize(1);
		assertThat(sweeps.get(0).fire()).isTrue();
	}

	@Test
	void aHungLoadReleasesItsKeyAndItsLateResultIsStoredNowhere() throws Throwable {
		try (Herd herd = new Herd(2)) {
			Future<Object> hung = herd.add(() -> this.instance.call("k", this::load));
			herd.release();
			Herd.awaitFollowers(this.instance, "k", 0);
			Future<Object> joinedBefore = herd.add(() -> this.instance.call("k", this::load));
			Herd.awaitFollowers(this.instance, "k", 1);

			fireLoadTimeout();

			assertThat(this.instance.inflight()).as("the key is released").isZero();
			assertThat(this.instance.call("k", this::load)).as("the next caller loads again").isEqualTo("fresh");
			assertThat(this.events.timeouts).hasValue(1);
			this.hungLoadMayEnd.countDown();
			assertThat(Herd.result(hung)).isEqualTo("late");
			assertThat(Herd.result(joinedBefore)).as("a caller that had joined the hung load").isEqualTo("late");
		}
		assertThat(this.instance.call("k", this::load)).as("the late result replaced nothing").isEqualTo("fresh");
		assertThat(this.loads).hasValue(2);
		assertThat(this.events.successes).as("the late end is not counted as a load again").hasValue(1);
		assertThat(this.events.timeouts).hasValue(1);
	}

	@Test
	void aLoadThatEndsInTimeIsNeverReleasedAndTheSweepIsScheduledOnce() throws Throwable {
		assertThat(this.instance.call("k", () -> "v")).isEqualTo("v");
		assertThat(this.instance.call("other", () -> "w")).isEqualTo("w");
		fireLoadTimeout();
		assertThat(this.events.timeouts).hasValue(0);
		assertThat(this.instance.call("k", () -> "reloaded")).as("still stored").isEqualTo("v");
	}

	@Test
	void aLoadIsNotReleasedBeforeItsWholeLoadTimeout() {
		CompletableFuture<@Nullable Object> never = new CompletableFuture<>();
		this.instance.callAsync("k", () -> never);
		this.ticker.advance(LOAD_TIMEOUT.minusNanos(1));
		this.scheduler.periodic(SWEEP).get(0).fire();
		assertThat(this.events.timeouts).hasValue(0);
		assertThat(this.instance.inflight()).isEqualTo(1);
		this.ticker.advance(Duration.ofNanos(1));
		this.scheduler.periodic(SWEEP).get(0).fire();
		assertThat(this.events.timeouts).hasValue(1);
		assertThat(this.instance.inflight()).isZero();
	}

	@Test
	void aHungAsyncLoadReleasesItsKey() {
		CompletableFuture<@Nullable Object> never = new CompletableFuture<>();
		CompletableFuture<@Nullable Object> hung = this.instance.callAsync("k", () -> never);
		fireLoadTimeout();
		assertThat(this.instance.callAsync("k", () -> CompletableFuture.completedFuture("fresh")))
			.succeedsWithin(Herd.PATIENCE)
			.isEqualTo("fresh");
		never.complete("late");
		assertThat(hung).succeedsWithin(Herd.PATIENCE).isEqualTo("late");
		assertThat(this.instance.callAsync("k", () -> CompletableFuture.completedFuture("again")))
			.succeedsWithin(Herd.PATIENCE)
			.as("the late result replaced nothing")
			.isEqualTo("fresh");
	}

	/**
	 * Regression: every asynchronous follower of a load that never ends left a callback on it,
	 * even after its own timeout: memory grew with every caller of a hung key.
	 */
	@Test
	void asyncFollowersThatTimedOutLeaveNothingOnAHungLoad() {
		CompletableFuture<@Nullable Object> never = new CompletableFuture<>();
		this.instance.callAsync("k", () -> never);
		Flight flight = this.instance.flights.get("k");
		int before = flight.result.getNumberOfDependents();
		for (int i = 0; i < 1_000; i++) {
			this.instance.callAsync("k", () -> never);
		}
		for (HeldScheduler.Timer timer : this.scheduler.timers(WAIT_TIMEOUT)) {
			timer.fire();
		}
		assertThat(flight.result.getNumberOfDependents()).as("callbacks left on the hung load")
			.isLessThanOrEqualTo(before + 1);
	}

	@Test
	void aFollowerOfTheHungLoadStillTimesOutAtItsOwnDeadline() {
		CompletableFuture<@Nullable Object> never = new CompletableFuture<>();
		this.instance.callAsync("k", () -> never);
		CompletableFuture<@Nullable Object> follower = this.instance.callAsync("k", () -> never);
		fireLoadTimeout();
		assertThat(follower).isNotDone();
		this.scheduler.timers(WAIT_TIMEOUT).get(0).fire();
		assertThatThrownBy(follower::join).hasCauseInstanceOf(CollapseTimeoutException.class);
	}

	private static final class RecordingEvents implements InstanceEvents {

		final AtomicInteger successes = new AtomicInteger();

		final AtomicInteger timeouts = new AtomicInteger();

		@Override
		public void onLoad(boolean success, long nanos) {
			if (success) {
				this.successes.incrementAndGet();
			}
		}

		@Override
		public void onLoadTimeout(long nanos) {
			this.timeouts.incrementAndGet();
		}

	}

}
