package dev.collapse.benchmarks;

import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.context.ConfigurableApplicationContext;

import dev.collapse.redis.RedisDistributedLayer;

/**
 * A Spring application with one cached {@link Catalog} bean, started and warmed once per trial.
 * The catalog counts its loads: one after the warm-up means a miss was measured, not a hit, and
 * fails the trial rather than let the numbers lie.
 */
abstract class WarmCatalogState {

	private ConfigurableApplicationContext context;

	Catalog catalog;

	private int warmKeys;

	<T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	void start(Class<?> configuration, Long[] ids, String... properties) {
		this.context = Applications.start(configuration, properties);
		this.catalog = this.context.getBean(Catalog.class);
		awaitRedis();
		this.warmKeys = ids.length;
		for (Long id : ids) {
			this.catalog.find(id);
		}
		requireOnlyWarmUpLoads();
	}

	/**
	 * With {@code collapse.redis.enabled}, waits until the Redis layer is connected and subscribed: a
	 * call made before falls back to local collapsing and does not write its result to Redis, so
	 * that key would miss when measured.
	 */
	private void awaitRedis() {
		RedisDistributedLayer layer = this.context.getBeanProvider(RedisDistributedLayer.class).getIfAvailable();
		long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
		while (layer != null && !(layer.available() && layer.subscribed())) {
			if (System.nanoTime() > deadline) {
				this.context.close();
				throw new IllegalStateException("the Redis layer did not connect within 10 s: " + layer.detail());
			}
			try {
				Thread.sleep(20); // the layer connects on its own scheduler and offers no event to wait on
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while waiting for Redis", ex);
			}
		}
	}

	@TearDown(Level.Trial)
	public void stop() {
		try {
			requireOnlyWarmUpLoads();
		}
		finally {
			this.context.close();
		}
	}

	private void requireOnlyWarmUpLoads() {
		int loads = this.catalog.loads();
		if (loads != this.warmKeys) {
			throw new IllegalStateException(
					"expected " + this.warmKeys + " loads (the warm-up) but the catalog ran " + loads + ": some calls missed");
		}
	}

}
