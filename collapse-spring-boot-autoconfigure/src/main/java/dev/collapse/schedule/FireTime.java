package dev.collapse.schedule;

import java.lang.reflect.Method;
import java.time.Instant;

import org.jspecify.annotations.Nullable;
import org.springframework.scheduling.SchedulingAwareRunnable;
import org.springframework.scheduling.TaskScheduler;

/**
 * The nominal fire time of the scheduled run on this thread: the time its trigger chose, the same
 * on every node whose scheduler runs the same cron expression, however late the node's thread got
 * to it. Jobs may read it, for example to clean up what is older than a day before it, the same
 * way on every node.
 */
public final class FireTime {

	private static final ThreadLocal<@Nullable Fire> CURRENT = new ThreadLocal<>();

	private FireTime() {
	}

	/** The nominal time of the fire this thread runs, or {@code null} outside a scheduled run. */
	public static @Nullable Instant nominal() {
		Fire fire = CURRENT.get();
		return (fire != null) ? fire.nominal() : null;
	}

	static @Nullable Fire current() {
		return CURRENT.get();
	}

	/** Runs {@code task} as the fire {@code fire}. */
	static void run(Fire fire, Runnable task) {
		Fire outer = CURRENT.get();
		CURRENT.set(fire);
		try {
			task.run();
		}
		finally {
			if (outer != null) {
				CURRENT.set(outer);
			}
			else {
				CURRENT.remove();
			}
		}
	}

	/** How a fire names the method it was scheduled for: its declaring class and name. */
	static String name(Method method) {
		return method.getDeclaringClass().getName() + "." + method.getName();
	}

	/**
	 * One fire of a scheduled task.
	 * @param nominal the time its trigger chose
	 * @param scheduler the scheduler that runs the task, for a start spread over a window
	 * @param task the {@code @Scheduled} method the fire is for, as {@link #name(Method)} names it
	 * (or the description of a task that is no such method)
	 * @param qualifier the scheduler the task names ({@code @Scheduled(scheduler = ...)}), or
	 * {@code null} for the default one
	 */
	record Fire(Instant nominal, TaskScheduler scheduler, String task, @Nullable String qualifier) {

		/** Whether {@code method} is the scheduled method itself, not one it calls. */
		boolean isFor(Method method) {
			return method.getParameterCount() == 0 && this.task.equals(name(method));
		}

		/** {@code run} as a task of the scheduler the fire's task names, so that {@link #scheduler} routes it there. */
		Runnable onItsScheduler(Runnable run) {
			String qualifier = this.qualifier;
			if (qualifier == null) {
				return run;
			}
			return new SchedulingAwareRunnable() {

				@Override
				public void run() {
					run.run();
				}

				@Override
				public String getQualifier() {
					return qualifier;
				}

			};
		}

	}

}
