package dev.collapse.core;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler that keeps every task scheduled on it for the test to run by hand: what
 * {@code schedule} returns never fires by itself (cancelling it works). Each timer is kept with
 * its delay, so that a test fires the wait timeout or the load timeout it means.
 */
final class HeldScheduler extends ScheduledThreadPoolExecutor {

	/** Every timer asked for, in order. */
	final List<Timer> timers = new CopyOnWriteArrayList<>();

	HeldScheduler() {
		super(1);
	}

	/** A timer: its delay (a period for a periodic one), its task, and what {@code schedule} returned for it. */
	record Timer(Duration delay, Runnable task, ScheduledFuture<?> future, boolean periodic) {

		/** Runs the task, as if the delay were up, unless the timer was cancelled. */
		boolean fire() {
			if (this.future.isCancelled()) {
				return false;
			}
			this.task.run();
			return true;
		}

	}

	/** The one-shot timers of {@code delay}, in the order they were asked for. */
	List<Timer> timers(Duration delay) {
		return this.timers.stream().filter((timer) -> !timer.periodic && timer.delay.equals(delay)).toList();
	}

	/** The periodic tasks of {@code period}, in the order they were asked for. */
	List<Timer> periodic(Duration period) {
		return this.timers.stream().filter((timer) -> timer.periodic && timer.delay.equals(period)).toList();
	}

	@Override
	public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
		ScheduledFuture<?> future = super.schedule(() -> {
		}, 1, TimeUnit.DAYS);
		this.timers.add(new Timer(Duration.ofNanos(unit.toNanos(delay)), command, future, false));
		return future;
	}

	/** A periodic task is kept as one timer, its period as its delay; each fire runs one period. */
	@Override
	public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
		ScheduledFuture<?> future = super.schedule(() -> {
		}, 1, TimeUnit.DAYS);
		this.timers.add(new Timer(Duration.ofNanos(unit.toNanos(delay)), command, future, true));
		return future;
	}

	@Override
	public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
		ScheduledFuture<V> future = super.schedule(() -> null, 1, TimeUnit.DAYS);
		this.timers.add(new Timer(Duration.ofNanos(unit.toNanos(delay)), () -> {
			try {
				callable.call();
			}
			catch (Exception ex) {
				throw new IllegalStateException(ex);
			}
		}, future, false));
		return future;
	}

}
