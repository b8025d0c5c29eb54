package dev.collapse.benchmarks;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.collapse.autoconfigure.CollapseAutoConfiguration;

/**
 * The two Spring applications under test. The auto-configurations are named, not discovered, so
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

}
