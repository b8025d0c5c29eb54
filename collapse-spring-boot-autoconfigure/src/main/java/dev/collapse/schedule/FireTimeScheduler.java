package dev.collapse.schedule;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;

import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.SchedulingAwareRunnable;
import org.springframework.scheduling.TaskScheduler;
import org.springframework.scheduling.Trigger;
import org.springframework.scheduling.TriggerContext;
import org.springframework.scheduling.support.ScheduledMethodRunnable;

/**
 * The application's task scheduler, with each trigger-driven run told its nominal fire time
 * ({@link FireTime}). Spring's scheduler asks a trigger for the next time, waits for it, runs the
 * task, and asks again: each run follows exactly one question, in order. The trigger's answers are
 * queued and each run takes the oldest, so that a scheduler that hands the run to another thread
 * (virtual threads) still pairs each run with its own time. Everything else is passed on as it is.
 */
final class FireTimeScheduler implements TaskScheduler {

	private final TaskScheduler delegate;

	FireTimeScheduler(TaskScheduler delegate) {
		this.delegate = delegate;
	}

	TaskScheduler delegate() {
		return this.delegate;
	}

	@Override
	public Clock getClock() {
		return this.delegate.getClock();
	}

	@Override
	public @Nullable ScheduledFuture<?> schedule(Runnable task, Trigger trigger) {
		Queue<Instant> times = new ConcurrentLinkedQueue<>();
		Trigger told = new Trigger() {

			@Override
			public @Nullable Instant nextExecution(TriggerContext context) {
				Instant next = trigger.nextExecution(context);
				if (next != null) {
					times.add(next);
				}
				return next;
			}

			@Override
			public String toString() {
				return trigger.toString();
			}

		};
		return this.delegate.schedule(new FiredTask(task, times, this.delegate), told);
	}

	@Override
	public ScheduledFuture<?> schedule(Runnable task, Instant startTime) {
		return this.delegate.schedule(task, startTime);
	}

	@Override
	public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Instant startTime, Duration period) {
		return this.delegate.scheduleAtFixedRate(task, startTime, period);
	}

	@Override
	public ScheduledFuture<?> scheduleAtFixedRate(Runnable task, Duration period) {
		return this.delegate.scheduleAtFixedRate(task, period);
	}

	@Override
	public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Instant startTime, Duration delay) {
		return this.delegate.scheduleWithFixedDelay(task, startTime, delay);
	}

	@Override
	public ScheduledFuture<?> scheduleWithFixedDelay(Runnable task, Duration delay) {
		return this.delegate.scheduleWithFixedDelay(task, delay);
	}

	@Override
	public String toString() {
		return "FireTimeScheduler[" + this.delegate + "]";
	}

	/** A task that runs as the fire its trigger chose; keeps the qualifier Spring routes by. */
	private static final class FiredTask implements SchedulingAwareRunnable {

		private final Runnable task;

		/** Written by the trigger before each run is scheduled; each run takes the oldest. */
		private final Queue<Instant> times;

		private final TaskScheduler scheduler;

		/** The scheduled method, so that only it, not a method it calls, acts on the fire. */
		private final String name;

		FiredTask(Runnable task, Queue<Instant> times, TaskScheduler scheduler) {
			this.task = task;
			this.times = times;
			this.scheduler = scheduler;
			// Spring hands over its ScheduledMethodRunnable wrapped in a private class whose
			// toString is the runnable's: the method's declaring class and name
			this.name = (task instanceof ScheduledMethodRunnable method) ? FireTime.name(method.getMethod())
					: String.valueOf(task);
		}

		@Override
		public void run() {
			Instant nominal = this.times.poll();
			if (nominal == null) {
				this.task.run();
				return;
			}
			FireTime.run(new FireTime.Fire(nominal, this.scheduler, this.name, getQualifier()), this.task);
		}

		@Override
		public boolean isLongLived() {
			return (this.task instanceof SchedulingAwareRunnable aware) && aware.isLongLived();
		}

		@Override
		public @Nullable String getQualifier() {
			return (this.task instanceof SchedulingAwareRunnable aware) ? aware.getQualifier() : null;
		}

		@Override
		public String toString() {
			return this.task.toString();
		}

	}

}
