package dev.collapse.benchmarks;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.TearDown;
import org.springframework.context.ConfigurableApplicationContext;

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
		this.warmKeys = ids.length;
		for (Long id : ids) {
			this.catalog.find(id);
		}
		requireOnlyWarmUpLoads();
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
