package dev.collapse.benchmarks.herd;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.autoconfigure.aop.AopAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.cache.annotation.EnableCaching;
import org.springframework.cache.caffeine.CaffeineCacheManager;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;

import dev.collapse.autoconfigure.CollapseAutoConfiguration;
import dev.collapse.core.Collapser;

/**
 * One way of putting a cache in front of the {@link Upstream}: a row of the local herd table. Each
 * row is built fresh for a herd, so the herd's key is a miss for everybody.
 */
interface HerdRow extends AutoCloseable {

	/** The row's name in the table, the CSV and the chart. */
	String name();

	/** What one caller does: ask for {@code key}, through this row's protection. */
	String call(String key);

	/** The upstream behind this row. */
	Upstream upstream();

	@Override
	default void close() {
	}

	/** The rows of the local herd, in the order of the table. */
	enum Kind {

		NONE("none"), FLOOR("floor: one future"), CACHEABLE_SYNC("@Cacheable(sync)"), CAFFEINE_ASYNC("Caffeine AsyncCache"), COLLAPSED("@Collapsed"),
		COLLAPSER("Collapser.collapse");

		final String label;

		Kind(String label) {
			this.label = label;
		}

		HerdRow create(long upstreamMillis) {
			Upstream upstream = new Upstream(upstreamMillis);
			return switch (this) {
				case NONE -> new Unprotected(this.label, upstream);
				case FLOOR -> new Floor(this.label, upstream, new ConcurrentHashMap<>());
				case CACHEABLE_SYNC -> new SpringRow(this.label, upstream, CacheableApplication.class);
				case CAFFEINE_ASYNC -> new CaffeineAsync(this.label, upstream);
				case COLLAPSED -> new SpringRow(this.label, upstream, CollapsedApplication.class);
				case COLLAPSER -> new SpringRow(this.label, upstream, CollapsedApplication.class, true);
			};
		}

	}

	/** Every caller runs the load: the herd as it hits an unprotected database. */
	record Unprotected(String name, Upstream upstream) implements HerdRow {

		@Override
		public String call(String key) {
			return this.upstream.load(key);
		}

	}

	/**
	 * The floor of the wake-up, not a cache: the first caller of a key loads it and completes one
	 * future, on which every other caller parks. Its wake-up is what waking that many parked
	 * threads costs on the machine; a row's wake-up above it is the row's own.
	 */
	record Floor(String name, Upstream upstream,
			ConcurrentHashMap<String, CompletableFuture<String>> flights)
			implements HerdRow {

		@Override
		public String call(String key) {
			CompletableFuture<String> mine = new CompletableFuture<>();
			CompletableFuture<String> first = this.flights.putIfAbsent(key, mine);
			if (first != null) {
				return first.join();
			}
			String value = this.upstream.load(key);
			mine.complete(value);
			return value;
		}

	}

	/**
	 * Caffeine's own answer: {@code AsyncCache.get(key, mappingFunction)} stores a future at once, so
	 * every caller of a key shares one load (run on the cache's executor, the common pool); each
	 * caller then blocks on {@code join()}.
	 */
	final class CaffeineAsync implements HerdRow {

		private final String name;

		private final Upstream upstream;

		private final AsyncCache<String, String> cache = Caffeine.newBuilder()
			.maximumSize(10_000)
			.expireAfterWrite(Duration.ofMinutes(10))
			.buildAsync();

		CaffeineAsync(String name, Upstream upstream) {
			this.name = name;
			this.upstream = upstream;
		}

		@Override
		public String name() {
			return this.name;
		}

		@Override
		public Upstream upstream() {
			return this.upstream;
		}

		@Override
		public String call(String key) {
			return this.cache.get(key, this.upstream::load).join();
		}

	}

	/** A Spring application whose only bean of interest has a {@code find(String)} behind a proxy. */
	final class SpringRow implements HerdRow {

		private final String name;

		private final Upstream upstream;

		private final ConfigurableApplicationContext context;

		private final Finder finder;

		SpringRow(String name, Upstream upstream, Class<?> configuration) {
			this(name, upstream, configuration, false);
		}

		/**
		 * @param programmatic whether the callers call the {@code Collapser} bean directly rather
		 * than an annotated method through its proxy: the library without Spring's proxy
		 */
		SpringRow(String name, Upstream upstream, Class<?> configuration, boolean programmatic) {
			this.name = name;
			this.upstream = upstream;
			this.context = new SpringApplicationBuilder(configuration).web(WebApplicationType.NONE)
				.logStartupInfo(false)
				.properties("spring.main.banner-mode=off", "logging.level.root=warn",
						"collapse.instances.herd-direct.ttl=10m")
				.initializers((context) -> context.getBeanFactory().registerSingleton("upstream", upstream))
				.run();
			if (programmatic) {
				Collapser collapser = this.context.getBean(Collapser.class);
				this.finder = (key) -> collapser.collapse("herd-direct", key, () -> upstream.load(key));
			}
			else if (configuration == CollapsedApplication.class) {
				CollapsedHerdService service = this.context.getBean(CollapsedHerdService.class);
				this.finder = service::find;
			}
			else {
				CacheableHerdService service = this.context.getBean(CacheableHerdService.class);
				this.finder = service::find;
			}
		}

		@Override
		public String name() {
			return this.name;
		}

		@Override
		public Upstream upstream() {
			return this.upstream;
		}

		@Override
		public String call(String key) {
			return this.finder.find(key);
		}

		@Override
		public void close() {
			this.context.close();
		}

		private interface Finder {

			String find(String key);

		}

	}

	@Configuration(proxyBeanMethods = false)
	@ImportAutoConfiguration({ AopAutoConfiguration.class, CollapseAutoConfiguration.class })
	class CollapsedApplication {

		@Bean
		CollapsedHerdService collapsedHerdService(Upstream upstream) {
			return new CollapsedHerdService(upstream);
		}

	}

	@Configuration(proxyBeanMethods = false)
	@EnableCaching
	@ImportAutoConfiguration(AopAutoConfiguration.class)
	class CacheableApplication {

		@Bean
		CaffeineCacheManager cacheManager() {
			CaffeineCacheManager cacheManager = new CaffeineCacheManager(CacheableHerdService.CACHE_NAME);
			cacheManager.setCaffeine(Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofMinutes(10)));
			return cacheManager;
		}

		@Bean
		CacheableHerdService cacheableHerdService(Upstream upstream) {
			return new CacheableHerdService(upstream);
		}

	}

}
