package dev.collapse.benchmarks.herd;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The slow thing a herd hits: a database call simulated by a sleep. It counts its runs, the number
 * a herd multiplies. A sleep costs no CPU, so any CPU a herd burns is spent by the callers
 * (waking, waiting, polling), never by the load itself.
 */
public final class Upstream {

	private final AtomicInteger loads = new AtomicInteger();

	private final long delayMillis;

	public Upstream(long delayMillis) {
		this.delayMillis = delayMillis;
	}

	/** Counts the call, sleeps the upstream's latency and returns a value derived from the key. */
	public String load(String key) {
		this.loads.incrementAndGet();
		try {
			Thread.sleep(this.delayMillis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException("interrupted while loading", ex);
		}
		return "value-" + key;
	}

	/** How many times {@link #load} ran. */
	public int loads() {
		return this.loads.get();
	}

	public long delayMillis() {
		return this.delayMillis;
	}

}
