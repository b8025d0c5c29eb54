package dev.collapse.redis;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;

import dev.collapse.core.CallResult;
import dev.collapse.core.CollapseListener;
import dev.collapse.core.CollapseRegistry;
import dev.collapse.core.InstanceEvents;
import dev.collapse.core.InstanceView;

import static org.awaitility.Awaitility.await;

/**
 * Independent Spring Boot applications in one JVM, all on one Redis: a fleet in miniature. Each
 * has its own contexts, connections, subscription and registry; they share only Redis and the
 * {@link Upstream}.
 */
final class Fleet implements AutoCloseable {

	final List<ConfigurableApplicationContext> nodes = new ArrayList<>();

	final String prefix = "t" + UUID.randomUUID().toString().substring(0, 8) + ":";

	private Fleet() {
	}

	/**
	 * Starts {@code size} applications on {@code redis}, with a 2 s lease unless {@code properties}
	 * say otherwise, and waits until each is {@link #ready}.
	 */
	static Fleet start(int size, RedisProperties redis, Upstream upstream, String... properties) {
		Fleet fleet = startUnchecked(size, redis, upstream, properties);
		try {
			for (ConfigurableApplicationContext context : fleet.nodes) {
				RedisDistributedLayer layer = context.getBean(RedisDistributedLayer.class);
				await().atMost(Duration.ofSeconds(10)).until(() -> ready(layer));
			}
			return fleet;
		}
		catch (RuntimeException | Error ex) {
			fleet.close();
			throw ex;
		}
	}

	/**
	 * Whether a node is in its steady state: Redis answers, the subscription is confirmed and, with
	 * the near cache on, copies are trusted (a moment after the subscription; a call before that
	 * keeps no copy, which tests that expect one would see as a flake on a loaded machine).
	 */
	static boolean ready(RedisDistributedLayer layer) {
		return layer.available() && layer.subscribed() && (!layer.near().enabled() || layer.near().trusted());
	}

	/** {@link #start} without waiting for Redis to answer. */
	static Fleet startUnchecked(int size, RedisProperties redis, Upstream upstream,
			String... properties) {
		return startUnchecked(size, redis, upstream, Map.of(), properties);
	}

	/** {@link #start} with more singletons in each node's context (a serializer of the test's). */
	static Fleet start(int size, RedisProperties redis, Upstream upstream, Map<String, Object> beans,
			String... properties) {
		Fleet fleet = startUnchecked(size, redis, upstream, beans, properties);
		for (int i = 0; i < size; i++) {
			RedisDistributedLayer layer = fleet.layer(i);
			await().atMost(Duration.ofSeconds(10)).until(() -> ready(layer));
		}
		return fleet;
	}

	private static Fleet startUnchecked(int size, RedisProperties redis, Upstream upstream, Map<String, Object> beans,
			String... properties) {
		Fleet fleet = new Fleet();
		try {
			for (int i = 0; i < size; i++) {
				String node = "node" + i;
				List<String> all = new ArrayList<>(List.of(redis.properties()));
				all.addAll(List.of("collapse.redis.enabled=true", "collapse.redis.key-prefix=" + fleet.prefix,
						"collapse.redis.lease=2s", "collapse.redis.command-timeout=500ms",
						"collapse.redis.probe-interval=200ms", "collapse.defaults.wait-timeout=15s",
						"spring.main.banner-mode=off", "fleet.node=" + node));
				all.addAll(List.of(properties));
				ConfigurableApplicationContext context = new SpringApplicationBuilder(App.class)
					.web(WebApplicationType.NONE)
					.properties(all.toArray(String[]::new))
					.initializers((ctx) -> {
						ctx.getBeanFactory().registerSingleton("upstream", upstream);
						beans.forEach(ctx.getBeanFactory()::registerSingleton);
					})
					.run();
				fleet.nodes.add(context);
			}
			return fleet;
		}
		catch (RuntimeException | Error ex) {
			fleet.close();
			throw ex;
		}
	}

	ProductService service(int node) {
		return this.nodes.get(node).getBean(ProductService.class);
	}

	RedisDistributedLayer layer(int node) {
		return this.nodes.get(node).getBean(RedisDistributedLayer.class);
	}

	CollapseRegistry registry(int node) {
		return this.nodes.get(node).getBean(CollapseRegistry.class);
	}

	/** Calls of {@code node} served as {@code result}, all instances together. */
	long calls(int node, CallResult result) {
		return this.nodes.get(node).getBean(Calls.class).count(result);
	}

	long events(int node, String event) {
		return this.nodes.get(node).getBean(Calls.class).count(event);
	}

	@Override
	public void close() {
		for (ConfigurableApplicationContext context : this.nodes) {
			try {
				context.close();
			}
			catch (RuntimeException ex) {
				// close the others anyway
			}
		}
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class App {

		@Bean
		ProductService productService(Upstream upstream, Environment environment) {
			return new ProductService(upstream, environment.getRequiredProperty("fleet.node"));
		}

		@Bean
		Calls calls() {
			return new Calls();
		}

	}

	/** Counts every event of every instance of one node. */
	static final class Calls implements CollapseListener {

		private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

		long count(CallResult result) {
			return count("call:" + result.tag());
		}

		long count(String event) {
			AtomicLong count = this.counts.get(event);
			return (count != null) ? count.get() : 0;
		}

		private void add(String event) {
			this.counts.computeIfAbsent(event, (e) -> new AtomicLong()).incrementAndGet();
		}

		@Override
		public InstanceEvents bind(InstanceView instance) {
			return new InstanceEvents() {

				@Override
				public void onCall(CallResult result) {
					add("call:" + result.tag());
				}

				@Override
				public void onFallback() {
					add("fallback");
				}

				@Override
				public void onLeaseLost() {
					add("leaseLost");
				}

				@Override
				public void onCopyInvalidated() {
					add("copyInvalidated");
				}

				@Override
				public void onLoad(boolean success, long nanos) {
					add(success ? "load:success" : "load:error");
				}

				@Override
				public void onLoadTimeout(long nanos) {
					add("load:timeout");
				}

			};
		}

	}

}
