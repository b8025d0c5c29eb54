package dev.collapse.benchmarks.herd;

import org.springframework.cache.annotation.Cacheable;

/**
 * The upstream behind Spring's {@code @Cacheable(sync = true)}: the peer a Spring user reaches for
 * first. {@code sync = true} makes Caffeine's {@code Cache.get(key, loader)} run the method once per
 * key in this JVM; the other callers block inside Caffeine on the entry being computed.
 */
public class CacheableHerdService {

	static final String CACHE_NAME = "herd";

	private final Upstream upstream;

	public CacheableHerdService(Upstream upstream) {
		this.upstream = upstream;
	}

	@Cacheable(cacheNames = CACHE_NAME, sync = true)
	public String find(String key) {
		return this.upstream.load(key);
	}

}
