package dev.collapse.benchmarks;

import org.springframework.cache.annotation.Cacheable;

/**
 * The catalog under Spring's {@code @Cacheable}. No {@code key} attribute: for one argument
 * Spring's default key is the argument itself, its fastest path; {@code key = "#id"} would add a
 * SpEL evaluation per call and make the peer look slower than it needs to be.
 */
public class CacheableCatalog extends Catalog {

	@Override
	@Cacheable(HitPathBenchmark.CACHE_NAME)
	public String find(Long id) {
		return load(id);
	}

}
