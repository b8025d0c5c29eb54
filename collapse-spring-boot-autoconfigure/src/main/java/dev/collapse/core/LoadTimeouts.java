package dev.collapse.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The load timeout of one instance: past it a load's key is released (its flight detached as by
 * an eviction, so the next caller loads again), counted once, and the late result is stored
 * nowhere. One periodic sweep of the flights per instance does it, not a timer per load, so that
 * a load pays a ticker read, not a scheduler's lock: a timer armed and cancelled per load made a
 * miss 2.5 times slower (collapse-benchmarks, MissPathBenchmark).
 */
final class LoadTimeouts {

	private final CollapseInstance instance;

	/** Period of the sweep: a quarter of the load timeout, at most 250 ms. */
	private final long sweepNanos;

	/** 1 once the sweep is scheduled (by the first load); set by compare-and-set only. */
	private volatile int sweeping;

	LoadTimeouts(CollapseInstance instance) {
		this.instance = instance;
		this.sweepNanos = Math.max(1, Math.min(TimeUnit.MILLISECONDS.toNanos(250), instance.loadTimeoutNanos / 4));
	}

	/** The load of {@code flight} starts now: its load timeout counts from here. */
	void start(Flight flight) {
		flight.loadStarts(this.instance.ticker.read());
		if (this.sweeping == 0 && SWEEPING.compareAndSet(this, 0, 1)) {
			try {
				this.instance.scheduler.scheduleWithFixedDelay(this::sweep, this.sweepNanos, this.sweepNanos,
						TimeUnit.NANOSECONDS);
			}
			catch (RejectedExecutionException ex) {
				// the application is closing: loads run untimed, as every load did before
			}
		}
	}

	/**
	 * Releases the key of every load that has run its whole load timeout: at most one sweep period
	 * past it. Runs on the scheduler; only detaches flights and counts, so that it stays a timer's
	 * task.
	 */
	void sweep() {
		long now = this.instance.ticker.read();
		long timeout = this.instance.loadTimeoutNanos;
		LocalSingleFlight flights = this.instance.flights;
		flights.forEach((key, flight) -> {
			if (flight.loadOverdue(now, timeout) && flight.releaseLoad()) {
				flights.forget(key, flight);
				this.instance.events.onLoadTimeout(timeout);
			}
		});
	}

	private static final VarHandle SWEEPING;

	static {
		try {
			SWEEPING = MethodHandles.lookup().findVarHandle(LoadTimeouts.class, "sweeping", int.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

}
