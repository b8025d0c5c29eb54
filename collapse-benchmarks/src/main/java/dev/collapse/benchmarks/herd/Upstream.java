package dev.collapse.benchmarks.herd;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The slow thing a herd hits: a database call simulated by a sleep. It counts its runs, the number
 * a herd multiplies. A sleep costs no CPU, so any CPU a herd burns is spent by the callers
 * (waking, waiting, polling), never by the load itself.
 */
public final class Upstream {

	private final AtomicInteger loads = new AtomicInteger();

	/** Changed only between herds: short for the warm-up herds, the upstream's latency for the measured ones. */
	private volatile long delayMillis;

	/** {@code System.nanoTime()} when the last load returned; written by the loading thread. */
	private volatile long lastLoadEnd;

	/** {@code System.nanoTime()} when the first load since {@link #resetFirstLoadEnd()} returned, 0 before. */
	private final java.util.concurrent.atomic.AtomicLong firstLoadEnd = new java.util.concurrent.atomic.AtomicLong();

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
		long end = System.nanoTime();
		this.lastLoadEnd = end;
		this.firstLoadEnd.compareAndSet(0, end);
		return "value-" + key;
	}

	/** {@code System.nanoTime()} when the first load since the last reset returned, 0 before it. */
	public long firstLoadEnd() {
		return this.firstLoadEnd.get();
	}

	public void resetFirstLoadEnd() {
		this.firstLoadEnd.set(0);
	}

	/** {@code System.nanoTime()} when the last load returned, 0 before the first. */
	public long lastLoadEnd() {
		return this.lastLoadEnd;
	}

	/** How many times {@link #load} ran. */
	public int loads() {
		return this.loads.get();
	}

	public long delayMillis() {
		return this.delayMillis;
	}

	/** Sets the latency of the next loads; call it between herds, never during one. */
	public void delayMillis(long delayMillis) {
		this.delayMillis = delayMillis;
	}

}
