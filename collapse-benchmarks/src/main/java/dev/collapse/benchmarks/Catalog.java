package dev.collapse.benchmarks;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The method every variant caches: a lookup by id whose body runs only on a miss. It counts its
 * runs, so that a benchmark can prove afterwards that it measured hits and nothing else.
 */
public abstract class Catalog {

	private final AtomicInteger loads = new AtomicInteger();

	/** The result of {@code id}; runs only when the cache in front of it misses. */
	public abstract String find(Long id);

	/** How many times a {@code find} body ran. */
	public int loads() {
		return this.loads.get();
	}

	protected final String load(Long id) {
		this.loads.incrementAndGet();
		return "product-" + id;
	}

}
