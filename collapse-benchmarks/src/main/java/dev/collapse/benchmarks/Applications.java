package dev.collapse.benchmarks;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.data.redis.autoconfigure.DataRedisAutoConfiguration;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.data.redis.cache.RedisCacheManager;
import org.springframework.data.redis.cache.RedisCacheWriter;
import org.springframework.data.redis.connection.RedisConnectionFactory;

import dev.collapse.autoconfigure.CollapseAutoConfiguration;
import dev.collapse.autoconfigure.CollapseRedisAutoConfiguration;
import dev.collapse.benchmarks.herd.FleetHerd;

/**
 * The Spring applications under test. The auto-configurations are named, not discovered, so
 * that the shaded jar runs exactly what the IDE runs whatever happened to the merged
 * {@code AutoConfiguration.imports} files.
 */
final class Applications {

	private Applications() {
	}

	/** Starts a non-web application of {@code configuration}, quietly, with extra {@code properties}. */
	static ConfigurableApplicationContext start(Class<?> configuration, String... properties) {
		return new SpringApplicationBuilder(configuration).web(WebApplicationType.NONE)
			.logStartupInfo(false)
			.properties("spring.main.banner-mode=off", "logging.level.root=warn")
			.properties(properties)
			.run();
	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ AopAutoConfiguration.class, CollapseAutoConfiguration.class })
	static class CollapsedApplication {

		@Bean
		CollapsedCatalog catalog() {
			return new CollapsedCatalog();
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@ImportAutoConfiguration(AopAutoConfiguration.class)
	static class CacheableApplication {

		@Bean
		CaffeineCacheManager cacheManager() {
			CaffeineCacheManager cacheManager = new CaffeineCacheManager(HitPathBenchmark.CACHE_NAME);
			cacheManager.setCaffeine(HitPathBenchmark.boundedExpiringCache());
			return cacheManager;
		}

		@Bean
		CacheableCatalog catalog() {
			return new CacheableCatalog();
		}

	}

	/**
	 * {@link CollapsedApplication} with the Redis layer on the class path; it is used only with
	 * {@code collapse.redis.enabled=true} and {@code spring.data.redis.*} set.
	 */
	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ AopAutoConfiguration.class, DataRedisAutoConfiguration.class,
			CollapseAutoConfiguration.class, CollapseRedisAutoConfiguration.class })
	static class CollapsedRedisApplication {

		@Bean
		CollapsedCatalog catalog() {
			return new CollapsedCatalog();
		}

	}

	/**
	 * {@code @Cacheable} on Spring's {@code RedisCacheManager} (its default, non-locking writer), the
	 * values as plain strings and a 10 minute TTL like the other variants.
	 */
	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@ImportAutoConfiguration({ AopAutoConfiguration.class, DataRedisAutoConfiguration.class })
	static class CacheableRedisApplication {

		@Bean
		RedisCacheManager cacheManager(RedisConnectionFactory factory) {
			return FleetHerd.cacheManager(RedisCacheWriter.nonLockingRedisCacheWriter(factory));
		}

		@Bean
		CacheableCatalog catalog() {
			return new CacheableCatalog();
		}

	}

}
